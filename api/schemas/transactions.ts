import { z } from 'zod';
import type {
  AdmissionChange,
  Diagnosis,
  Discharge,
  FeeCancel,
  FeeDetailIn,
  ReversalRequest,
  SettleRequest,
} from '../../cases';
import { SETLINFO_FIELDS } from '../../settlement';
import { amount, code, cstTime, e4, flag, lineAmount, optText } from './national';
import { admdvs, diagCode, fixmedinsCode, psnNo, text } from './primitives';

/**
 * The national interface's request envelope and, per transaction (`infno`), its `input` nodes as real
 * HIS clients send them, parsed into the payloads of `cases/hospitalization.ts`; and the `output`
 * nodes we answer (for the OpenAPI document, and for tests that check no field is missing). Unknown
 * fields are ignored (zod objects strip them); a HIS's own placeholders (`"0.0"` amounts in 2303/2304)
 * are not read.
 */

// ── request envelope ────────────────────────────────────────────────────────────────────────────

/** Header fields we read nothing from: a HIS sends "", a number or null; any of them is fine. */
const unused = z.union([z.string(), z.number(), z.null()]).optional();

export const TRANSACTION_INFNOS = [
  '1101',
  '2401',
  '2403',
  '2404',
  '2301',
  '2302',
  '2303',
  '2402',
  '2405',
  '2304',
  '2305',
] as const;
export type Infno = (typeof TRANSACTION_INFNOS)[number];

export const TransactionEnvelope = z
  .object({
    infno: code(/^\d{4}$/, '交易编号 infno 应为 4 位数字，例如 "2401"'),
    /** 发送方报文ID: `fixmedins_code` + yyyyMMddHHmmss + serial on the national platform; any 1–64 visible ASCII here. */
    msgid: z.string().regex(/^[\x21-\x7e]{1,64}$/, '报文ID msgid 应为 1–64 位字母、数字或符号'),
    mdtrtarea_admvs: admdvs,
    insuplc_admdvs: z.union([admdvs, z.literal(''), z.null()]).optional(),
    recer_sys_code: unused,
    dev_no: unused,
    dev_safe_info: unused,
    cainfo: unused,
    signtype: unused,
    infver: unused,
    opter_type: unused,
    opter: text({ max: 30, min: 1, required: '经办人 opter 必填' }),
    opter_name: optText(50),
    inf_time: unused,
    fixmedins_code: fixmedinsCode,
    fixmedins_name: unused,
    sign_no: unused,
    input: z.record(z.string(), z.unknown(), { error: 'input 应为对象，例如 {"data": {...}}' }),
  })
  .meta({ id: 'TransactionEnvelope', description: '国家医保平台的请求报文' });
export type TransactionEnvelope = z.output<typeof TransactionEnvelope>;

// ── shared nodes ─────────────────────────────────────────────────────────────────────────────────

/** 就诊ID as we allocate it (treatment place + date + ten digits); a HIS echoes it back. */
const mdtrtIdIn = code(/^[A-Za-z0-9]{1,40}$/, '就诊ID mdtrt_id 应为 1–40 位字母或数字');
const certType = code(/^\d{2,3}$/, '应为 2–3 位数字代码，例如 "02"（身份证）');

const Diseinfo = z.object({
  diag_type: code(/^\d{1,3}$/, '诊断类别 diag_type 应为数字代码，例如 "1"（西医诊断）'),
  diag_srt_no: z.coerce.number().int('诊断排序号应为整数').min(0).max(999),
  diag_code: diagCode,
  diag_name: text({ max: 200, min: 1, required: '诊断名称 diag_name 必填' }),
  maindiag_flag: flag,
});

const diseinfoList = z.array(Diseinfo).max(50).default([]);

const toDiagnoses = (list: z.output<typeof Diseinfo>[]): Diagnosis[] =>
  list.map((d) => ({
    diag_type: d.diag_type,
    diag_srt_no: d.diag_srt_no,
    diag_code: d.diag_code,
    diag_name: d.diag_name,
    maindiag_flag: d.maindiag_flag,
  }));

/** `{mdtrt_id, psn_no}` as the stay transactions name their stay. */
const StayRef = z.object({ mdtrt_id: mdtrtIdIn, psn_no: psnNo });

/** What every stay transaction parses into: the stay it is about and the update's payload (without `opter`). */
export interface StayInput<P> {
  mdtrt_id: string;
  psn_no: string;
  payload: Omit<P, 'opter'>;
}

// ── 1101 人员信息获取 ────────────────────────────────────────────────────────────────────────────

export const Input1101 = z
  .object({
    data: z.object({
      /** 01 电子凭证, 02 身份证, 03 社保卡: we find a person by the resident ID (02, or `certno`). */
      mdtrt_cert_type: certType,
      mdtrt_cert_no: optText(50),
      card_sn: optText(50),
      begntime: optText(30),
      psn_cert_type: optText(6),
      certno: optText(50),
      psn_name: optText(64),
    }),
  })
  .transform((v, ctx) => {
    const certno = v.data.certno ?? (v.data.mdtrt_cert_type === '02' ? v.data.mdtrt_cert_no : null);
    if (!certno) {
      ctx.addIssue({
        code: 'custom',
        path: ['data', 'certno'],
        message: '请提供身份证号：mdtrt_cert_type "02" 时填 mdtrt_cert_no，或填 certno',
      });
      return z.NEVER;
    }
    return { certno };
  })
  .meta({ id: 'Input1101', description: '1101 人员信息获取' });

// ── 2401 入院办理 ────────────────────────────────────────────────────────────────────────────────

export const Input2401 = z
  .object({
    mdtrtinfo: z.object({
      psn_no: psnNo,
      insutype: code(/^\d{3}$/, '险种类型 insutype 应为 3 位代码，例如 "310"'),
      mdtrt_cert_type: certType,
      mdtrt_cert_no: text({ max: 50, min: 1, required: '就诊凭证编号 mdtrt_cert_no 必填' }),
      med_type: code(/^\d{2,6}$/, '医疗类别 med_type 应为数字代码，例如 "21"（住院）'),
      /** 住院/门诊号: the national name is `ipt_otp_no`; some HIS send `ipt_no`. */
      ipt_otp_no: optText(30),
      ipt_no: optText(30),
      begntime: cstTime,
      adm_dept_codg: optText(30),
      adm_dept_name: optText(100),
      /** 主治医生: `chfpdr_name` nationally, `atddr_name` in some HIS. */
      chfpdr_name: optText(50),
      atddr_name: optText(50),
      adm_diag_dscr: optText(200),
      /** 急诊抢救 (our extension, "1"): no filing needed, the stay is deemed filed. */
      emergency_flag: flag,
    }),
    diseinfo: diseinfoList,
  })
  .transform((v, ctx) => {
    const m = v.mdtrtinfo;
    const ipt_no = m.ipt_otp_no ?? m.ipt_no;
    if (!ipt_no) {
      ctx.addIssue({ code: 'custom', path: ['mdtrtinfo', 'ipt_otp_no'], message: '住院号 ipt_otp_no 必填' });
      return z.NEVER;
    }
    return {
      psn_no: m.psn_no,
      insutype: m.insutype,
      mdtrt_cert_type: m.mdtrt_cert_type,
      mdtrt_cert_no: m.mdtrt_cert_no,
      med_type: m.med_type,
      ipt_no,
      begntime: m.begntime,
      adm_dept_codg: m.adm_dept_codg,
      adm_dept_name: m.adm_dept_name,
      atddr_name: m.chfpdr_name ?? m.atddr_name,
      adm_diag_dscr: m.adm_diag_dscr,
      emergency: m.emergency_flag,
      diseinfo: toDiagnoses(v.diseinfo),
    };
  })
  .meta({ id: 'Input2401', description: '2401 入院办理：mdtrtinfo 就诊信息，diseinfo 诊断信息' });

// ── 2403 入院信息变更 ────────────────────────────────────────────────────────────────────────────

export const Input2403 = z
  .object({
    adminfo: StayRef.extend({
      ipt_otp_no: optText(30),
      begntime: cstTime.optional(),
      adm_dept_codg: optText(30),
      adm_dept_name: optText(100),
      chfpdr_name: optText(50),
    }),
    diseinfo: z.array(Diseinfo).max(50).optional(),
  })
  .transform((v): StayInput<AdmissionChange> => {
    const a = v.adminfo;
    const payload: Omit<AdmissionChange, 'opter'> = {};
    if (a.ipt_otp_no) payload.ipt_no = a.ipt_otp_no;
    if (a.begntime) payload.begntime = a.begntime;
    if (a.adm_dept_codg) payload.adm_dept_codg = a.adm_dept_codg;
    if (a.adm_dept_name) payload.adm_dept_name = a.adm_dept_name;
    if (a.chfpdr_name) payload.atddr_name = a.chfpdr_name;
    if (v.diseinfo) payload.diseinfo = toDiagnoses(v.diseinfo);
    return { mdtrt_id: a.mdtrt_id, psn_no: a.psn_no, payload };
  })
  .meta({ id: 'Input2403', description: '2403 入院信息变更：adminfo（含 mdtrt_id）与可选的 diseinfo' });

// ── 2404 入院撤销, 2405 出院撤销 ────────────────────────────────────────────────────────────────

export const Input2404 = z
  .object({ data: StayRef.extend({ memo: optText(500) }) })
  .transform(
    (v): StayInput<{ reason: string | null; opter: string }> => ({
      mdtrt_id: v.data.mdtrt_id,
      psn_no: v.data.psn_no,
      payload: { reason: v.data.memo },
    }),
  )
  .meta({ id: 'Input2404', description: '2404 入院撤销（仅在没有费用明细时）' });

export const Input2405 = z
  .object({ data: StayRef })
  .transform(
    (v): StayInput<{ opter: string }> => ({ mdtrt_id: v.data.mdtrt_id, psn_no: v.data.psn_no, payload: {} }),
  )
  .meta({ id: 'Input2405', description: '2405 出院撤销（仅在结算前）' });

// ── 2301 费用明细上传 ────────────────────────────────────────────────────────────────────────────

/** The most lines one 2301 batch may carry; a stay's fees come in as many batches as needed. */
export const MAX_FEE_LINES_PER_BATCH = 500;

const feedetlSn = code(/^[A-Za-z0-9_-]{1,30}$/, '费用明细流水号 feedetl_sn 应为 1–30 位字母、数字、_ 或 -');

const FeeLine = z
  .object({
    feedetl_sn: feedetlSn.refine((v) => v !== '0000', '"0000" 表示撤销全部费用（2302），不能作为明细流水号'),
    mdtrt_id: mdtrtIdIn,
    psn_no: psnNo,
    /** 处方号 / 医嘱号: `drord_no` nationally, `rxno` in some HIS. */
    drord_no: optText(30),
    rxno: optText(30),
    fee_ocur_time: cstTime,
    med_list_codg: text({ max: 50, min: 1, required: '医保目录编码 med_list_codg 必填' }),
    medins_list_codg: text({ max: 150, min: 1, required: '医药机构目录编码 medins_list_codg 必填' }),
    medins_list_name: optText(200),
    det_item_fee_sumamt: amount,
    cnt: e4,
    pric: e4,
    bilg_dept_codg: optText(30),
    bilg_dr_codg: optText(30),
  })
  .superRefine((line, ctx) => {
    const expected = lineAmount(line.cnt, line.pric);
    // The national rule: the line total is cnt × pric to the fen, with one fen of rounding either way.
    if (Math.abs(line.det_item_fee_sumamt - expected) > 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['det_item_fee_sumamt'],
        message: `明细金额 ${(line.det_item_fee_sumamt / 100).toFixed(2)} 与数量 × 单价 = ${(expected / 100).toFixed(2)} 不符（允许 ±0.01）`,
      });
    }
  });

export const Input2301 = z
  .object({
    feedetail: z
      .array(FeeLine)
      .min(1, '费用明细 feedetail 至少 1 条')
      .max(MAX_FEE_LINES_PER_BATCH, `一次最多上传 ${MAX_FEE_LINES_PER_BATCH} 条，请分批上传`),
  })
  .superRefine((v, ctx) => {
    const first = v.feedetail[0];
    const seen = new Set<string>();
    v.feedetail.forEach((line, i) => {
      if (first && (line.mdtrt_id !== first.mdtrt_id || line.psn_no !== first.psn_no)) {
        ctx.addIssue({
          code: 'custom',
          path: ['feedetail', i, 'mdtrt_id'],
          message: '同一批费用明细须属于同一就诊（mdtrt_id 与 psn_no 相同）',
        });
      }
      if (seen.has(line.feedetl_sn)) {
        ctx.addIssue({
          code: 'custom',
          path: ['feedetail', i, 'feedetl_sn'],
          message: `流水号 ${line.feedetl_sn} 在本批中重复`,
        });
      }
      seen.add(line.feedetl_sn);
    });
  })
  .transform((v): StayInput<{ feedetail: FeeDetailIn[]; opter: string }> => {
    const first = v.feedetail[0] as z.output<typeof FeeLine>;
    return {
      mdtrt_id: first.mdtrt_id,
      psn_no: first.psn_no,
      payload: {
        feedetail: v.feedetail.map((l) => ({
          feedetl_sn: l.feedetl_sn,
          rx_drord_no: l.drord_no ?? l.rxno,
          med_list_codg: l.med_list_codg,
          medins_list_codg: l.medins_list_codg,
          medins_list_name: l.medins_list_name,
          fee_ocur_time: l.fee_ocur_time,
          cnt_e4: l.cnt,
          pric_e4: l.pric,
          det_item_fee_sumamt: l.det_item_fee_sumamt,
          bilg_dept_codg: l.bilg_dept_codg,
          bilg_dr_codg: l.bilg_dr_codg,
        })),
      },
    };
  })
  .meta({
    id: 'Input2301',
    description: `2301 费用明细上传：feedetail[]，每批最多 ${MAX_FEE_LINES_PER_BATCH} 条；det_item_fee_sumamt 须等于 cnt × pric（±0.01）`,
  });

// ── 2302 费用明细撤销 ────────────────────────────────────────────────────────────────────────────

const FeeCancelLine = StayRef.extend({ feedetl_sn: feedetlSn });

export const Input2302 = z
  .object({
    /** One line (`{…}`) or several (`[{…}]`); feedetl_sn "0000" cancels every line of the stay. */
    data: z.union([FeeCancelLine.transform((l) => [l]), z.array(FeeCancelLine).min(1).max(500)]),
  })
  .superRefine((v, ctx) => {
    const first = v.data[0];
    v.data.forEach((line, i) => {
      if (first && (line.mdtrt_id !== first.mdtrt_id || line.psn_no !== first.psn_no)) {
        ctx.addIssue({ code: 'custom', path: ['data', i, 'mdtrt_id'], message: '须属于同一就诊' });
      }
    });
  })
  .transform((v): StayInput<FeeCancel> => {
    const first = v.data[0] as z.output<typeof FeeCancelLine>;
    const all = v.data.some((l) => l.feedetl_sn === '0000');
    return {
      mdtrt_id: first.mdtrt_id,
      psn_no: first.psn_no,
      payload: { feedetl_sn: all ? 'ALL' : [...new Set(v.data.map((l) => l.feedetl_sn))] },
    };
  })
  .meta({ id: 'Input2302', description: '2302 费用明细撤销：feedetl_sn "0000" 撤销全部' });

// ── 2303 预结算, 2304 结算 ───────────────────────────────────────────────────────────────────────

const settleInput = (infno: '2303' | '2304', description: string) =>
  z
    .object({
      data: StayRef.extend({
        acct_used_flag: flag,
        mid_setl_flag: flag,
        // medfee_sumamt, fulamt_ownpay_amt, … are the HIS's own (often "0.0"): we compute them.
      }),
    })
    .transform(
      (v): StayInput<SettleRequest> => ({
        mdtrt_id: v.data.mdtrt_id,
        psn_no: v.data.psn_no,
        payload: { acct_used_flag: v.data.acct_used_flag, mid_setl_flag: v.data.mid_setl_flag },
      }),
    )
    .meta({ id: `Input${infno}`, description });

export const Input2303 = settleInput('2303', '2303 预结算：不记账；data 中的金额由我们计算，不采用 HIS 的值');
export const Input2304 = settleInput('2304', '2304 结算：同步返回 setl_id；data 中的金额由我们计算');

// ── 2402 出院办理 ────────────────────────────────────────────────────────────────────────────────

export const Input2402 = z
  .object({
    dscginfo: StayRef.extend({
      endtime: cstTime,
      dscg_way: optText(6),
      /** 出院主诊断: `dise_codg`/`dise_name` nationally, `dscg_maindiag_code`/`_name` in some HIS. */
      dise_codg: optText(20),
      dise_name: optText(200),
      dscg_maindiag_code: optText(20),
      dscg_maindiag_name: optText(200),
    }),
    diseinfo: diseinfoList,
  })
  .transform((v, ctx): StayInput<Discharge> => {
    const d = v.dscginfo;
    const diagnoses = toDiagnoses(v.diseinfo);
    const main = diagnoses.find((x) => x.maindiag_flag);
    const code_ = d.dise_codg ?? d.dscg_maindiag_code ?? main?.diag_code ?? null;
    const name = d.dise_name ?? d.dscg_maindiag_name ?? main?.diag_name ?? null;
    if (!code_ || !name) {
      ctx.addIssue({
        code: 'custom',
        path: ['dscginfo', 'dise_codg'],
        message: '出院主诊断必填：dise_codg 与 dise_name，或 diseinfo 中 maindiag_flag 为 "1" 的诊断',
      });
      return z.NEVER;
    }
    return {
      mdtrt_id: d.mdtrt_id,
      psn_no: d.psn_no,
      payload: {
        endtime: d.endtime,
        dscg_way: d.dscg_way,
        dscg_maindiag_code: code_,
        dscg_maindiag_name: name,
        diseinfo: diagnoses,
      },
    };
  })
  .meta({ id: 'Input2402', description: '2402 出院办理：dscginfo 出院信息，diseinfo 诊断信息' });

// ── 2305 结算撤销 ────────────────────────────────────────────────────────────────────────────────

export const Input2305 = z
  .object({
    data: StayRef.extend({ setl_id: code(/^[A-Za-z0-9_-]{1,40}$/, '结算ID setl_id 应为 1–40 位字母或数字') }),
  })
  .transform(
    (v): StayInput<ReversalRequest> => ({
      mdtrt_id: v.data.mdtrt_id,
      psn_no: v.data.psn_no,
      payload: { setl_id: v.data.setl_id, psn_no: v.data.psn_no },
    }),
  )
  .meta({ id: 'Input2305', description: '2305 结算撤销' });

// ── outputs (what we answer; every field present, never null) ──────────────────────────────────

const yuanStr = z
  .string()
  .regex(/^-?\d+\.\d{2}$/)
  .meta({ description: '元，两位小数' });
const timeStr = z.string().meta({ description: 'yyyy-MM-dd HH:mm:ss（北京时间）' });

export const Output1101 = z
  .object({
    baseinfo: z.object({
      psn_no: z.string(),
      psn_cert_type: z.string(),
      certno: z.string(),
      psn_name: z.string(),
      gend: z.string(),
      naty: z.string(),
      brdy: z.string(),
      age: z.number(),
    }),
    insuinfo: z.array(
      z.object({
        balc: yuanStr,
        insutype: z.string(),
        psn_type: z.string(),
        psn_insu_stas: z.string(),
        psn_insu_date: z.string(),
        paus_insu_date: z.string(),
        cvlserv_flag: z.string(),
        insuplc_admdvs: z.string(),
        emp_name: z.string(),
      }),
    ),
    idetinfo: z.array(
      z.object({
        psn_idet_type: z.string(),
        psn_type_lv: z.string(),
        memo: z.string(),
        begntime: z.string(),
        endtime: z.string(),
      }),
    ),
    filinfo: z
      .array(
        z.object({
          fil_type: z.string(),
          fil_stas: z.string(),
          mdtrtarea_admdvs: z.string(),
          begndate: z.string(),
          enddate: z.string(),
        }),
      )
      .meta({ description: '（扩展）本机构所在省的异地就医备案' }),
  })
  .meta({ id: 'Output1101' });

/** The answer of the stay transactions that change no money: 2401 (with the new mdtrt_id), 2403, 2404, 2302, 2402, 2405. */
export const OutputStay = z
  .object({
    result: z.object({
      mdtrt_id: z.string(),
      psn_no: z.string(),
      ipt_otp_no: z.string(),
      stay_stas: z
        .string()
        .meta({ description: 'ADMITTED / FEES_UPLOADED / PRESETTLED / DISCHARGED / SETTLED / CANCELLED' }),
      stay_stas_name: z.string(),
      fee_cnt: z.number(),
      medfee_sumamt: yuanStr,
    }),
  })
  .meta({ id: 'OutputStay' });

export const Output2301 = z
  .object({
    result: z.array(
      z.object({
        feedetl_sn: z.string(),
        med_list_codg: z.string(),
        det_item_fee_sumamt: yuanStr,
        cnt: z.string(),
        pric: z.string(),
        pric_uplmt_amt: yuanStr,
        selfpay_prop: z.string(),
        fulamt_ownpay_amt: yuanStr,
        overlmt_amt: yuanStr,
        preselfpay_amt: yuanStr,
        inscp_scp_amt: yuanStr,
        chrgitm_lv: z.string(),
        memo: z.string(),
      }),
    ),
  })
  .meta({ id: 'Output2301' });

const amounts = Object.fromEntries(SETLINFO_FIELDS.map((k) => [k, yuanStr])) as Record<
  (typeof SETLINFO_FIELDS)[number],
  typeof yuanStr
>;

const SetldetailOut = z.object({
  fund_pay_type: z.string().meta({ description: '基金支付类型；非基金步骤（起付线等）为 ""' }),
  inscp_scp_amt: yuanStr,
  crt_payb_lmt_amt: yuanStr.meta({ description: '本次可支付限额；无限额时为 "0.00"' }),
  fund_payamt: yuanStr,
  setl_proc_info: z.string(),
});

export const OutputSettlement = z
  .object({
    setlinfo: z.object({
      mdtrt_id: z.string(),
      setl_id: z.string().meta({ description: '2304 的结算ID；2303 预结算为 ""' }),
      psn_no: z.string(),
      psn_name: z.string(),
      psn_cert_type: z.string(),
      certno: z.string(),
      gend: z.string(),
      brdy: z.string(),
      insutype: z.string(),
      psn_type: z.string(),
      setl_time: timeStr,
      ...amounts,
      clr_optins: z.string(),
      clr_way: z.string(),
      clr_type: z.string(),
      medins_setl_id: z.string().meta({ description: '医药机构结算ID：结算报文的 msgid' }),
    }),
    setldetail: z.array(SetldetailOut),
  })
  .meta({ id: 'OutputSettlement' });

export const Output2305 = z
  .object({
    setlinfo: z.object({
      mdtrt_id: z.string(),
      setl_id: z.string().meta({ description: '冲销结算的ID' }),
      init_setl_id: z.string().meta({ description: '被撤销的原结算ID' }),
      setl_time: timeStr,
      ...amounts,
    }),
  })
  .meta({ id: 'Output2305' });

export const TransactionAnswer = z
  .object({
    infcode: z.number().int().meta({ description: '0 成功；其他见 x-infcodes' }),
    inf_refmsgid: z.string(),
    refmsg_time: z.string(),
    respond_time: z.string(),
    err_msg: z.string(),
    output: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'TransactionAnswer', description: '国家医保平台的应答报文' });

/** Every transaction: its input and output schema, and what it is (for the route and the OpenAPI). */
export const TRANSACTIONS = {
  '1101': { name: '人员信息获取', input: Input1101, output: Output1101 },
  '2401': { name: '入院办理', input: Input2401, output: OutputStay },
  '2403': { name: '入院信息变更', input: Input2403, output: OutputStay },
  '2404': { name: '入院撤销', input: Input2404, output: OutputStay },
  '2301': { name: '住院费用明细上传', input: Input2301, output: Output2301 },
  '2302': { name: '住院费用明细撤销', input: Input2302, output: OutputStay },
  '2303': { name: '住院预结算', input: Input2303, output: OutputSettlement },
  '2402': { name: '出院办理', input: Input2402, output: OutputStay },
  '2405': { name: '出院撤销', input: Input2405, output: OutputStay },
  '2304': { name: '住院结算', input: Input2304, output: OutputSettlement },
  '2305': { name: '住院结算撤销', input: Input2305, output: Output2305 },
} as const satisfies Record<Infno, { name: string; input: z.ZodType; output: z.ZodType }>;
