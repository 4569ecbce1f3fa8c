/**
 * 住院 → 结算 → 待遇补差: the contract between the hospital edge (`api/hospital/transactions`, the
 * national platform's envelope), the read routes and the `hospitalization` workflow with its
 * `settlement` and `compensation` children. The edge parses a HIS message into these payloads —
 * amounts in integer fen, quantities and prices in ten-thousandths, times as ISO instants — and formats
 * the results back into the national output. The workflow decides. Each synchronous transaction is an
 * update whose id derives from the message's `msgid`, so a retried message is applied once.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ChrgitmLv, Ratio, SetlDetail, Setlinfo } from '../settlement';
import type { FilingCategory } from './types';

/**
 * States of a stay (brief §3). A reversal (2305) takes a SETTLED stay back to DISCHARGED; a refused
 * admission makes no stay at all. CANCELLED is 2404 (only with no fees). SETTLEMENT_ERROR: 2304 failed
 * for a classified reason and a ticket (问题协同) is open; the stay settles by itself when the ticket
 * resolves (补记账), and the hospital may still retry 2304. MANUAL_CLAIM: the ticket converted the stay
 * to 手工报销 (no direct settlement any more). MANUAL_PAID: the insured place paid that claim; the stay is closed.
 */
export const STAY_STATUSES = [
  'ADMITTED',
  'FEES_UPLOADED',
  'PRESETTLED',
  'DISCHARGED',
  'SETTLED',
  'CANCELLED',
  'SETTLEMENT_ERROR',
  'MANUAL_CLAIM',
  'MANUAL_PAID',
] as const;
export type StayStatus = (typeof STAY_STATUSES)[number];

/**
 * What covers the stay: the filing active at admission (it keeps covering the stay when it expires
 * before discharge), an emergency deemed filed, or nothing yet — the stay is admitted and waits for a
 * 补备案; settlement is refused until one is made.
 */
export type StayCoverage =
  | { kind: 'filing'; filing_id: string; category: FilingCategory }
  | { kind: 'emergency'; filing_id: string | null }
  | { kind: 'pending_retro' };

/** diseinfo of 2401/2402. */
export interface Diagnosis {
  diag_type: string;
  diag_srt_no: number;
  diag_code: string;
  diag_name: string;
  maindiag_flag: boolean;
}

/** 2401 mdtrtinfo, parsed. */
export interface Admission {
  psn_no: string;
  insutype: string;
  mdtrt_cert_type: string;
  mdtrt_cert_no: string;
  /** 21 住院. */
  med_type: string;
  ipt_no: string;
  /** Admission time (ISO instant). */
  begntime: string;
  fixmedins_code: string;
  fixmedins_name: string;
  insuplc_admdvs: string;
  mdtrtarea_admvs: string;
  adm_dept_codg: string | null;
  adm_dept_name: string | null;
  atddr_name: string | null;
  adm_diag_dscr: string | null;
  /** 急诊抢救: admitted as an emergency, deemed filed when no filing exists. */
  emergency: boolean;
  diseinfo: Diagnosis[];
  opter: string;
  opter_name: string;
}

export interface StayStart {
  mdtrt_id: string;
  admission: Admission;
  /** The 2401 message that made the stay. */
  msgid: string;
}

/** 2403: the fields a hospital may change after admission. */
export interface AdmissionChange {
  ipt_no?: string;
  begntime?: string;
  adm_dept_codg?: string | null;
  adm_dept_name?: string | null;
  atddr_name?: string | null;
  diseinfo?: Diagnosis[];
  opter: string;
}

export interface AdmissionCancel {
  reason: string | null;
  opter: string;
}

/** One 2301 feedetail line, parsed. `det_item_fee_sumamt` was checked against cnt × pric. */
export interface FeeDetailIn {
  feedetl_sn: string;
  rx_drord_no: string | null;
  med_list_codg: string;
  medins_list_codg: string;
  medins_list_name: string | null;
  /** ISO instant. */
  fee_ocur_time: string;
  /** Quantity in ten-thousandths ("1.5" → 15000). */
  cnt_e4: number;
  /** Unit price in ten-thousandths of a yuan ("12.3456" → 123456). */
  pric_e4: number;
  det_item_fee_sumamt: number;
  bilg_dept_codg: string | null;
  bilg_dr_codg: string | null;
}

export interface FeeUpload {
  feedetail: FeeDetailIn[];
  opter: string;
}

/** The classification of one fee line by the treatment place's catalogue (2301 output `result[]`). */
export interface FeeLineResult {
  feedetl_sn: string;
  med_list_codg: string;
  det_item_fee_sumamt: number;
  cnt_e4: number;
  pric_e4: number;
  chrgitm_lv: ChrgitmLv;
  selfpay_prop: Ratio;
  /** Price limit per unit in fen, 0 when the item has none. */
  pric_uplmt_amt: number;
  fulamt_ownpay_amt: number;
  overlmt_amt: number;
  preselfpay_amt: number;
  inscp_scp_amt: number;
  /** Plain Chinese: which rule of which catalogue put the line where it is. */
  explanation: string;
}

export interface FeeUploadResult {
  result: FeeLineResult[];
}

/** 2302: `'ALL'` is the HIS's feedetl_sn "0000". */
export interface FeeCancel {
  feedetl_sn: string[] | 'ALL';
  opter: string;
}

/** 2303 / 2304 data: only the flags matter; the amounts are computed here, never taken from the HIS. */
export interface SettleRequest {
  acct_used_flag: boolean;
  /** 中途结算. */
  mid_setl_flag: boolean;
  opter: string;
}

/** 2402 dscginfo. */
export interface Discharge {
  endtime: string;
  dscg_way: string | null;
  dscg_maindiag_code: string;
  dscg_maindiag_name: string;
  diseinfo: Diagnosis[];
  opter: string;
}

export interface DischargeCancel {
  opter: string;
}

/** 2305. */
export interface ReversalRequest {
  setl_id: string;
  psn_no: string;
  opter: string;
}

/** Which policy version the stay was settled under, for the explanation of benefits. */
export interface PolicyRef {
  policy_id: string;
  version: number;
  name: string;
  source: string;
}

/** 2303 (setl_id null, nothing recorded) and 2304: setlinfo in fen plus the step-by-step setldetail. */
export interface SettlementResult {
  setl_id: string | null;
  mdtrt_id: string;
  psn_no: string;
  /** ISO instant. */
  setl_time: string;
  insutype: string;
  psn_type: string;
  setlinfo: Setlinfo;
  setldetail: SetlDetail[];
  policy: PolicyRef;
  /** 清算经办机构 / 方式 / 类别 of the settlement. */
  clr_optins: string;
  clr_way: string;
  clr_type: string;
}

/** 2305's answer: the reversing settlement's id and the original's amounts, negated. */
export interface ReversalResult {
  setl_id: string;
  original_setl_id: string;
  mdtrt_id: string;
  setl_time: string;
  setlinfo: Setlinfo;
}

export interface StaySettlementRef {
  setl_id: string;
  status: 'SETTLED' | 'REVERSED';
  reversed_by: string | null;
}

/** The workflow's own state: totals only, the fee lines live in the database. */
export interface StayState {
  mdtrt_id: string;
  status: StayStatus;
  psn_no: string;
  insuplc_admdvs: string;
  mdtrtarea_admvs: string;
  fixmedins_code: string;
  ipt_no: string;
  begntime: string;
  endtime: string | null;
  coverage: StayCoverage;
  fee_count: number;
  /** Sum of the stay's live fee lines, in fen. */
  medfee_sumamt: number;
  settlements: StaySettlementRef[];
}

/** Why a stay refuses a transaction: the ApplicationFailure type, mapped by the edge to infcode + err_msg. */
export const STAY_REFUSALS = {
  /** Admission: no active filing for this place and not an emergency → admitted as pending 补备案 is the
   * default; this refuses only where the insured province requires the filing first. */
  FILING_REQUIRED: 'FILING_REQUIRED',
  FILING_AREA_MISMATCH: 'FILING_AREA_MISMATCH',
  PERSON_NOT_INSURED: 'PERSON_NOT_INSURED',
  INPATIENT_ELSEWHERE: 'INPATIENT_ELSEWHERE',
  ADMISSION_DUPLICATE: 'ADMISSION_DUPLICATE',
  STAY_CLOSED: 'STAY_CLOSED',
  STAY_HAS_FEES: 'STAY_HAS_FEES',
  STAY_NOT_DISCHARGED: 'STAY_NOT_DISCHARGED',
  STAY_DISCHARGED: 'STAY_DISCHARGED',
  STAY_SETTLED: 'STAY_SETTLED',
  NO_FEES: 'NO_FEES',
  FEE_LINE_CONFLICT: 'FEE_LINE_CONFLICT',
  FEE_LINE_NOT_FOUND: 'FEE_LINE_NOT_FOUND',
  CATALOGUE_CODE_UNMAPPED: 'CATALOGUE_CODE_UNMAPPED',
  SETTLEMENT_NOT_FOUND: 'SETTLEMENT_NOT_FOUND',
  ALREADY_REVERSED: 'ALREADY_REVERSED',
  NO_POLICY: 'NO_POLICY',
  /** 2304: the person's only filing for this place had expired before the admission date. */
  FILING_EXPIRED: 'FILING_EXPIRED',
  /** 2304: the insured place has no record of the person (any more) under that insured place. */
  PERSON_RECORD_MISSING: 'PERSON_RECORD_MISSING',
  /** 2304: a line priced above its 限价 where the treatment place refuses rather than self-pays the excess. */
  PRICE_OVER_LIMIT: 'PRICE_OVER_LIMIT',
  /** 2304: the settlement step could not complete within its deadline (retries exhausted, timed out). */
  SETTLEMENT_TIMEOUT: 'SETTLEMENT_TIMEOUT',
  /** 2305: the reversal cannot be applied (the person's accumulators no longer hold what it gives back). */
  REVERSAL_FAILED: 'REVERSAL_FAILED',
  /** 2304: the person already has a live settlement of a stay whose dates overlap this one. */
  DUPLICATE_SETTLEMENT: 'DUPLICATE_SETTLEMENT',
} as const;
export type StayRefusalCode = (typeof STAY_REFUSALS)[keyof typeof STAY_REFUSALS];

/** `hospitalization-<mdtrt_id>`: the stay's workflow id; `mdtrt_id` is its business id. */
export function stayWorkflowId(mdtrt_id: string): string {
  return `hospitalization-${mdtrt_id}`;
}

/**
 * A national-style 就医登记号: the treatment place, the admission date (CST) and ten digits. The edge
 * allocates it before starting the workflow and keeps it with the 2401 msgid, so a retried admission
 * never makes a second stay.
 */
export function newMdtrtId(mdtrtarea_admvs: string, cstDate: string, tenDigits: string): string {
  return `${mdtrtarea_admvs}${cstDate.replaceAll('-', '')}${tenDigits}`;
}

/** The update id of a transaction: one per message, so Temporal deduplicates a redelivery. */
export function transactionUpdateId(infno: string, msgid: string): string {
  return `${infno}-${msgid}`;
}

/** Waits for the admission check of the stay's start and answers it (2401). */
export const admissionUpdate = defineUpdate<StayState, []>('admission');
export const changeAdmissionUpdate = defineUpdate<StayState, [AdmissionChange]>('changeAdmission');
export const cancelAdmissionUpdate = defineUpdate<StayState, [AdmissionCancel]>('cancelAdmission');
export const uploadFeesUpdate = defineUpdate<FeeUploadResult, [FeeUpload]>('uploadFees');
export const cancelFeesUpdate = defineUpdate<StayState, [FeeCancel]>('cancelFees');
export const presettleUpdate = defineUpdate<SettlementResult, [SettleRequest]>('presettle');
export const dischargeUpdate = defineUpdate<StayState, [Discharge]>('discharge');
export const cancelDischargeUpdate = defineUpdate<StayState, [DischargeCancel]>('cancelDischarge');
export const settleUpdate = defineUpdate<SettlementResult, [SettleRequest]>('settle');
export const reverseSettlementUpdate = defineUpdate<ReversalResult, [ReversalRequest]>('reverseSettlement');
export const stayStateQuery = defineQuery<StayState>('stayState');

// ── 待遇补差 ──────────────────────────────────────────────────────────────────────────────────────

/**
 * DETECTED/APPLIED → UNDER_REVIEW → RECOMPUTED → PAID | REJECTED; NOT_ELIGIBLE when the comparison finds no
 * gap; WITHDRAWN when its settlement is reversed (2305) before the gap is paid; RECOVERED when a paid gap
 * is taken back with the reversal of its settlement; CAP_EXHAUSTED when, at payment, the annual caps
 * leave nothing of the approved gap to pay (other stays of the person used them since the comparison).
 */
export const COMPENSATION_STATUSES = [
  'DETECTED',
  'APPLIED',
  'UNDER_REVIEW',
  'RECOMPUTED',
  'PAID',
  'REJECTED',
  'NOT_ELIGIBLE',
  'WITHDRAWN',
  'RECOVERED',
  'CAP_EXHAUSTED',
] as const;
export type CompensationStatus = (typeof COMPENSATION_STATUSES)[number];

/** From the reversal (2305) of the settlement a comparison is about: an open comparison closes WITHDRAWN. */
export const settlementReversedSignal =
  defineSignal<[{ setl_id: string; reversed_by: string; at: string }]>('settlementReversed');

/** Started by the settlement workflow after each settlement (`detected`), or by the citizen (`applied`). */
export interface CompensationStart {
  setl_id: string;
  mdtrt_id: string;
  psn_no: string;
  insuplc_admdvs: string;
  origin: 'detected' | 'applied';
  applied_by: string | null;
  /** ISO instant of the application or detection. */
  at: string;
}

/** `compensation-<setl_id>`: one comparison per settlement. */
export function compensationWorkflowId(setl_id: string): string {
  return `compensation-${setl_id}`;
}

// ── Read views (GET /api/v1/stays, /api/v1/stays/{mdtrt_id}) ─────────────────────────────────────

export interface FeeLineView extends FeeLineResult {
  medins_list_codg: string;
  medins_list_name: string | null;
  fee_ocur_time: string;
  /** The catalogue item's name at the treatment place. */
  list_name: string | null;
  status: 'ACTIVE' | 'CANCELLED';
}

export interface SettlementView extends SettlementResult {
  setl_id: string;
  status: 'SETTLED' | 'REVERSED';
  reversed_by: string | null;
}

/** One fee line compared: its classification at the treatment place and at the insured place. */
export interface CompensationItem {
  feedetl_sn: string;
  med_list_codg: string;
  list_name: string | null;
  det_item_fee_sumamt: number;
  direct: { chrgitm_lv: ChrgitmLv; inscp_scp_amt: number };
  insured_place: { chrgitm_lv: ChrgitmLv; inscp_scp_amt: number };
}

export interface CompensationView {
  compensation_id: string;
  setl_id: string;
  status: CompensationStatus;
  direct_fund_pay: number;
  recomputed_fund_pay: number;
  /** The approved gap, as assessed. */
  gap: number;
  /** What was paid (in fen): the gap, or less when the annual caps no longer left it; null until paid. */
  paid: number | null;
  steps: { step: string; rule: string; amount: number | null; passed: boolean }[];
  items: CompensationItem[];
  task_id: string | null;
  decision: { decision: string; reason: string | null; decided_at: string } | null;
}

export interface StaySummary {
  mdtrt_id: string;
  status: StayStatus;
  psn_no: string;
  psn_name: string;
  fixmedins_code: string;
  fixmedins_name: string;
  insuplc_admdvs: string;
  mdtrtarea_admvs: string;
  begntime: string;
  endtime: string | null;
  medfee_sumamt: number;
  /** The live settlement's fund payment, when settled. */
  fund_pay_sumamt: number | null;
}

export interface StayView extends StaySummary {
  ipt_no: string;
  insutype: string;
  med_type: string;
  coverage: StayCoverage;
  diagnoses: Diagnosis[];
  fees: FeeLineView[];
  settlements: SettlementView[];
  compensation: CompensationView | null;
  timeline: { at: string; event: string; text: string; actor: string | null }[];
}
