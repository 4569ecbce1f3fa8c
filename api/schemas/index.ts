import { z } from 'zod';
import {
  DECISIONS,
  FILING_CATEGORIES,
  FILING_STATUSES,
  STAY_STATUSES,
  TASK_KIND_NAMES,
  TASK_STATUSES,
} from '../../cases';

import { PROBLEM_CODE_LIST, PROBLEM_CODES } from '../problem-codes';
import * as p from './primitives';

/** Request and response shapes: validation for the routes and the source of the OpenAPI document. */

// zod's own messages (a missing field, a wrong type) in Chinese for every schema of the API.
z.config({ localeError: p.zhErrorMap });

export const LoginRequest = z
  .object({ username: p.username, password: p.password })
  .meta({ id: 'LoginRequest' });

/** Every string in a form lands in a PostgreSQL jsonb column, so each one is clean text. */
const document = p.text({ max: 200, min: 1, required: '请填写材料名称' });

export const ReferralForm = z
  .object({
    /** 转诊备案类型 as the insured place's dictionary codes it. */
    refl_fil_type: p.reflFilType,
    diag_code: p.diagCode.optional(),
    diag_name: p.text({ max: 200, min: 1, required: '请填写诊断名称' }),
    /** 转出医院: the referring hospital that wrote the certificate. */
    refl_hosp_name: p.text({ max: 128, min: 1, required: '请填写转出医院' }),
    refl_opinion: p.text({ max: 1000, multiline: true }).optional(),
    documents: z.array(document).max(20).default([]),
  })
  .meta({ id: 'ReferralForm' });

export const FilingCreate = z
  .object({
    category: z.enum(FILING_CATEGORIES),
    mdtrtarea_admdvs: p.admdvs,
    fixmedins_code: p.fixmedinsCode.nullable().default(null),
    begndate: p.calendarDate,
    enddate: p.calendarDate.nullable().default(null),
    /** 承诺制: a personal commitment instead of proof of residence. */
    commitment: z.boolean().default(false),
    tel: p.mobile,
    addr: p.text({ max: 200 }).optional(),
    emergency_adm_date: p.pastAdmissionDate.nullable().default(null),
    retro: z
      .object({ mdtrt_id: p.mdtrtId.nullable().default(null), adm_date: p.pastAdmissionDate })
      .nullable()
      .default(null),
    referral: ReferralForm.nullable().default(null),
    memo: p.text({ max: 500, multiline: true }).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.category === 'referral' && !v.referral) {
      ctx.addIssue({ code: 'custom', path: ['referral'], message: '转诊备案需要填写转诊信息' });
    }
    if (v.category === 'emergency' && !v.emergency_adm_date) {
      ctx.addIssue({ code: 'custom', path: ['emergency_adm_date'], message: '急诊抢救备案需要填写入院日期' });
    }
    if (v.enddate && v.enddate < v.begndate) {
      ctx.addIssue({ code: 'custom', path: ['enddate'], message: '结束日期不能早于开始日期，请检查' });
    }
    const longTerm = ['retired_resettled', 'long_term_residence', 'resident_worker'].includes(v.category);
    if (longTerm && !v.commitment && !v.addr) {
      ctx.addIssue({
        code: 'custom',
        path: ['addr'],
        message: '长期备案需要填写居住地址，或选择承诺制',
      });
    }
  })
  .meta({ id: 'FilingCreate' });
export type FilingCreate = z.infer<typeof FilingCreate>;

export const FilingChange = z
  .object({
    mdtrtarea_admdvs: p.admdvs.optional(),
    fixmedins_code: p.fixmedinsCode.nullable().optional(),
    enddate: p.calendarDate.nullable().optional(),
    memo: p.text({ max: 500, min: 1, multiline: true, required: '请说明变更原因' }),
  })
  .meta({ id: 'FilingChange' });

export const FilingCancel = z
  .object({ reason: p.text({ max: 500, min: 1, multiline: true, required: '请填写取消原因' }) })
  .meta({ id: 'FilingCancel' });

/** 2502 撤销: the serial and person come from the filing; staff give the memo. */
export const ReferralRevoke = z
  .object({ memo: p.text({ max: 500, min: 1, multiline: true, required: '请填写撤销原因' }) })
  .meta({ id: 'ReferralRevoke' });

export const MoreInfoAnswer = z
  .object({
    answer: p.text({ max: 2000, min: 1, multiline: true, required: '请填写补充说明' }),
    documents: z.array(document).max(20).default([]),
  })
  .meta({ id: 'MoreInfoAnswer' });

export const TaskDecision = z
  .object({
    decision: z.enum(DECISIONS),
    reason: p.text({ max: 1000, multiline: true }).optional(),
    /** The task version the reviewer saw; a stale one answers 409. */
    version: z.number().int().positive().max(2_147_483_647).optional(),
  })
  // Which decisions a task takes and which need a reason depend on its kind (cases/ TASK_KINDS).
  .meta({ id: 'TaskDecision' });

/** A supervisor hands a task to another member of the same province. */
export const TaskReassign = z.object({ assignee: p.username }).meta({ id: 'TaskReassign' });

/** `GET /staff`: the province's people a supervisor can hand a task to, optionally of one role. */
export const StaffQuery = z.object({ role: z.enum(['staff', 'supervisor']).optional() });

/** `:id` of a case or task route. */
export const PathId = z.object({ id: p.pathId });

/** The `Idempotency-Key` header, when sent. */
export const IdempotencyKey = p.idempotencyKey;

/** A page number whose offset PostgreSQL can take (a bigint), not 1e20. */
const page = z.coerce.number().int().min(1).max(1_000_000).default(1);

/** `?name=` of an upload: the file name as the citizen chose it. */
export const DocumentUploadQuery = z.object({
  name: z
    .string()
    .min(1, '请给出文件名')
    .max(200, '文件名不能超过 200 个字符')
    .refine((n) => !/[\\/]/.test(n), '文件名不能包含路径'),
});

export const TaskQuery = z.object({
  status: z.enum(TASK_STATUSES).optional(),
  kind: z.enum(TASK_KIND_NAMES as [string, ...string[]]).optional(),
  mine: z.enum(['true', 'false']).optional(),
  psn_no: p.psnNo.optional(),
  /** Sort key, `-` for descending: by deadline (default), submission time or task kind. */
  sort: z.enum(['due_at', '-due_at', 'created_at', '-created_at', 'kind', '-kind']).default('due_at'),
  page: page,
  page_size: z.coerce.number().int().min(1).max(100).default(20),
});

export const FilingQuery = z.object({
  status: z.enum(FILING_STATUSES).optional(),
  page: page,
  page_size: z.coerce.number().int().min(1).max(100).default(20),
});

export const StayQuery = z.object({
  status: z.enum(STAY_STATUSES).optional(),
  page: page,
  page_size: z.coerce.number().int().min(1).max(100).default(20),
});

export const Accepted = z
  .object({ id: z.string(), status: z.enum(FILING_STATUSES), location: z.string() })
  .meta({ id: 'Accepted' });

export const Problem = z
  .object({
    type: z.string(),
    code: z.enum(PROBLEM_CODE_LIST).meta({
      description: `Stable machine code; branch on it, never on the text. ${PROBLEM_CODE_LIST.map(
        (code) => `\`${code}\` (${PROBLEM_CODES[code].status}): ${PROBLEM_CODES[code].meaning}`,
      ).join('; ')}`,
    }),
    title: z.string().meta({ description: 'Chinese, short: what happened' }),
    status: z.number().int(),
    detail: z.string().optional().meta({ description: 'Chinese: what to do; dates as YYYY年M月D日' }),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    existing_id: z.string().optional().meta({ description: 'the filing a business guard (409) refers to' }),
  })
  .meta({ id: 'Problem' });
export * from './tickets';
