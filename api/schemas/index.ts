import { z } from 'zod';
import { DECISIONS, FILING_CATEGORIES, FILING_STATUSES, TASK_STATUSES } from '../../workflows/case-types';

/** Request and response shapes: validation for the routes and the source of the OpenAPI document. */

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');
const admdvs = z.string().regex(/^\d{6}$/, 'a 6-digit division code (行政区划代码)');

export const LoginRequest = z
  .object({ username: z.string().min(1).max(64), password: z.string().min(1).max(200) })
  .meta({ id: 'LoginRequest' });

export const ReferralForm = z
  .object({
    /** 转诊备案类型 as the insured place's dictionary codes it. */
    refl_fil_type: z.string().regex(/^\d{1,6}$/, 'a numeric 转诊备案类型 code'),
    diag_code: z.string().max(20).optional(),
    diag_name: z.string().min(1, 'the diagnosis is required').max(200),
    /** 转出医院: the referring hospital that wrote the certificate. */
    refl_hosp_name: z.string().min(1, 'the referring hospital is required').max(128),
    refl_opinion: z.string().max(1000).optional(),
    documents: z.array(z.string().min(1).max(200)).max(20).default([]),
  })
  .meta({ id: 'ReferralForm' });

export const FilingCreate = z
  .object({
    category: z.enum(FILING_CATEGORIES),
    mdtrtarea_admdvs: admdvs,
    fixmedins_code: z.string().min(1).max(30).nullable().default(null),
    begndate: date,
    enddate: date.nullable().default(null),
    /** 承诺制: a personal commitment instead of proof of residence. */
    commitment: z.boolean().default(false),
    tel: z.string().regex(/^1\d{10}$/, 'an 11-digit mobile number'),
    addr: z.string().max(200).optional(),
    emergency_adm_date: date.nullable().default(null),
    retro: z
      .object({ mdtrt_id: z.string().max(40).nullable().default(null), adm_date: date })
      .nullable()
      .default(null),
    referral: ReferralForm.nullable().default(null),
    memo: z.string().max(500).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.category === 'referral' && !v.referral) {
      ctx.addIssue({
        code: 'custom',
        path: ['referral'],
        message: 'a referral filing needs the referral form',
      });
    }
    if (v.category === 'emergency' && !v.emergency_adm_date) {
      ctx.addIssue({
        code: 'custom',
        path: ['emergency_adm_date'],
        message: 'an emergency needs its admission date',
      });
    }
    if (v.enddate && v.enddate < v.begndate) {
      ctx.addIssue({ code: 'custom', path: ['enddate'], message: 'enddate must not be before begndate' });
    }
    const longTerm = ['retired_resettled', 'long_term_residence', 'resident_worker'].includes(v.category);
    if (longTerm && !v.commitment && !v.addr) {
      ctx.addIssue({
        code: 'custom',
        path: ['addr'],
        message: 'a long-term filing needs the residence address, or commitment (承诺制)',
      });
    }
  })
  .meta({ id: 'FilingCreate' });
export type FilingCreate = z.infer<typeof FilingCreate>;

export const FilingChange = z
  .object({
    mdtrtarea_admdvs: admdvs.optional(),
    fixmedins_code: z.string().min(1).max(30).nullable().optional(),
    enddate: date.nullable().optional(),
    memo: z.string().min(1, 'say why').max(500),
  })
  .meta({ id: 'FilingChange' });

export const FilingCancel = z
  .object({ reason: z.string().min(1, 'the reason is required').max(500) })
  .meta({ id: 'FilingCancel' });

/** 2502 撤销: the serial and person come from the filing; staff give the memo. */
export const ReferralRevoke = z
  .object({ memo: z.string().min(1, 'the reason (memo) is required').max(500) })
  .meta({ id: 'ReferralRevoke' });

export const MoreInfoAnswer = z
  .object({
    answer: z.string().min(1, 'the answer is required').max(2000),
    documents: z.array(z.string().min(1).max(200)).max(20).default([]),
  })
  .meta({ id: 'MoreInfoAnswer' });

export const TaskDecision = z
  .object({
    decision: z.enum(DECISIONS),
    reason: z.string().max(1000).optional(),
    /** The task version the reviewer saw; a stale one answers 409. */
    version: z.number().int().positive().optional(),
  })
  .superRefine((v, ctx) => {
    if (v.decision !== 'approve' && !v.reason?.trim()) {
      ctx.addIssue({ code: 'custom', path: ['reason'], message: `a reason is required to ${v.decision}` });
    }
  })
  .meta({ id: 'TaskDecision' });

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
  mine: z.enum(['true', 'false']).optional(),
  psn_no: z.string().max(30).optional(),
  /** Sort key, `-` for descending: by deadline (default), submission time or task kind. */
  sort: z.enum(['due_at', '-due_at', 'created_at', '-created_at', 'kind', '-kind']).default('due_at'),
  page: z.coerce.number().int().min(1).default(1),
  page_size: z.coerce.number().int().min(1).max(100).default(20),
});

export const FilingQuery = z.object({
  status: z.enum(FILING_STATUSES).optional(),
  page: z.coerce.number().int().min(1).default(1),
  page_size: z.coerce.number().int().min(1).max(100).default(20),
});

export const Accepted = z
  .object({ id: z.string(), status: z.enum(FILING_STATUSES), location: z.string() })
  .meta({ id: 'Accepted' });

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem' });
