import type { StayRefusalCode } from '../cases';

/**
 * Every `infcode` the hospital transactions route (`POST /api/v1/hospital/transactions`) answers, the
 * national envelope's twin of `problem-codes.ts`: a HIS branches on the number, a person reads
 * `err_msg`. 0 is success, as on the national platform. The numbers are stable: a new code gets a new
 * number, none is ever reused. `stored`: the answer is kept for the msgid and a retry gets it again;
 * otherwise nothing was done and the same message may be sent again (`retry`).
 */
export const INFCODES = {
  OK: { infcode: 0, http: 200, stored: true, meaning: '成功' },
  // The message as a whole
  ENVELOPE_INVALID: {
    infcode: 1001,
    http: 200,
    stored: false,
    meaning: '报文头有误（缺少 infno、msgid、fixmedins_code 等，或格式不对）：err_msg 指出字段',
  },
  INFNO_UNSUPPORTED: { infcode: 1002, http: 200, stored: false, meaning: '不支持的交易编号 infno' },
  FIXMEDINS_MISMATCH: {
    infcode: 1003,
    http: 200,
    stored: false,
    meaning: '报文的 fixmedins_code 或 mdtrtarea_admvs 与登录的定点医疗机构不符',
  },
  INPUT_INVALID: {
    infcode: 1004,
    http: 200,
    stored: true,
    meaning: 'input 内容有误：err_msg 指出字段，例如 feedetail[3].det_item_fee_sumamt',
  },
  MSGID_REUSED: {
    infcode: 1005,
    http: 200,
    stored: false,
    meaning: '同一 msgid 曾用于内容不同的报文；新报文请用新的 msgid',
  },
  MSGID_IN_FLIGHT: {
    infcode: 1006,
    http: 200,
    stored: false,
    meaning: '同一 msgid 的首个报文仍在处理中；稍后用同一报文重发即得到同一应答',
  },
  STILL_WORKING: {
    infcode: 1007,
    http: 200,
    stored: false,
    meaning: '交易仍在办理中，尚未完成；请稍后用同一 msgid 重发同一报文，完成后即得到最终应答',
  },
  // What the message is about
  PERSON_NOT_FOUND: { infcode: 1101, http: 200, stored: true, meaning: '没有与证件相符的参保人' },
  STAY_NOT_FOUND: {
    infcode: 1201,
    http: 200,
    stored: true,
    meaning: '没有这个就诊ID（mdtrt_id），或不是本机构办理的入院，或人员编号不符',
  },
  STAY_REFUSED: { infcode: 1202, http: 200, stored: true, meaning: '就诊当前状态不允许该交易' },
  // The stay's own refusals (cases/hospitalization.ts STAY_REFUSALS), one number each
  FILING_REQUIRED: {
    infcode: 2001,
    http: 200,
    stored: true,
    meaning: '参保地要求先备案：请参保人先办理异地就医备案',
  },
  FILING_AREA_MISMATCH: { infcode: 2002, http: 200, stored: true, meaning: '备案的就医地与本机构所在地不符' },
  PERSON_NOT_INSURED: {
    infcode: 2003,
    http: 200,
    stored: true,
    meaning: '参保状态异常（未参保、暂停或终止）',
  },
  INPATIENT_ELSEWHERE: {
    infcode: 2004,
    http: 200,
    stored: true,
    meaning: '该人员在院状态不能办理入院（他院在院）',
  },
  ADMISSION_DUPLICATE: {
    infcode: 2005,
    http: 200,
    stored: true,
    meaning: '住院号重复：本机构已有这个住院号的在院登记',
  },
  STAY_CLOSED: { infcode: 2006, http: 200, stored: true, meaning: '就诊已撤销或已办结' },
  STAY_HAS_FEES: { infcode: 2007, http: 200, stored: true, meaning: '已有费用明细，请先撤销费用再撤销入院' },
  STAY_NOT_DISCHARGED: {
    infcode: 2008,
    http: 200,
    stored: true,
    meaning: '尚未办理出院，请先办理出院（2402）',
  },
  STAY_DISCHARGED: { infcode: 2009, http: 200, stored: true, meaning: '已办理出院：请先撤销出院（2405）' },
  STAY_SETTLED: { infcode: 2010, http: 200, stored: true, meaning: '已结算：请先撤销结算（2305）' },
  NO_FEES: { infcode: 2011, http: 200, stored: true, meaning: '没有费用明细，请先上传（2301）' },
  FEE_LINE_CONFLICT: {
    infcode: 2012,
    http: 200,
    stored: true,
    meaning: '同一费用明细流水号（feedetl_sn）已以不同内容上传',
  },
  FEE_LINE_NOT_FOUND: { infcode: 2013, http: 200, stored: true, meaning: '没有这个费用明细流水号' },
  CATALOGUE_CODE_UNMAPPED: {
    infcode: 2014,
    http: 200,
    stored: true,
    meaning: '医保目录编码（med_list_codg）未在就医地目录中对照',
  },
  SETTLEMENT_NOT_FOUND: { infcode: 2015, http: 200, stored: true, meaning: '没有这个结算ID（setl_id）' },
  ALREADY_REVERSED: { infcode: 2016, http: 200, stored: true, meaning: '该结算已撤销，不能重复撤销' },
  NO_POLICY: {
    infcode: 2017,
    http: 200,
    stored: true,
    meaning: '参保地没有适用的待遇政策，请联系参保地经办机构',
  },
  MID_SETTLEMENT_UNSUPPORTED: {
    infcode: 2018,
    http: 200,
    stored: true,
    meaning: '暂不支持中途结算（mid_setl_flag 为 "1"）：请出院后结算',
  },
  FILING_EXPIRED: {
    infcode: 2019,
    http: 200,
    stored: true,
    meaning: '参保人在本地的备案已于入院前到期：请参保人续办备案（开始日期不晚于入院日期）后再结算',
  },
  PERSON_RECORD_MISSING: {
    infcode: 2020,
    http: 200,
    stored: true,
    meaning: '参保地查无该参保人：已发起问题协同，由参保地核实人员信息后自动重新结算',
  },
  PRICE_OVER_LIMIT: {
    infcode: 2021,
    http: 200,
    stored: true,
    meaning:
      '费用明细单价超过就医地限价（pric_uplmt_amt），就医地规定不予结算：请核对价格后撤销并重新上传（2302/2301）',
  },
  SETTLEMENT_TIMEOUT: {
    infcode: 2022,
    http: 200,
    stored: true,
    meaning: '结算未能在时限内完成：已发起问题协同，处理后将自动重新结算（补记账），无需重复发送',
  },
  REVERSAL_FAILED: {
    infcode: 2023,
    http: 200,
    stored: true,
    meaning: '结算撤销无法办理（参保人累计数据不一致）：已发起问题协同，原结算保持有效',
  },
  DUPLICATE_SETTLEMENT: {
    infcode: 2024,
    http: 200,
    stored: true,
    meaning: '该参保人同期已有其他就诊的结算（住院日期重叠）：请核对是否重复结算，已发起问题协同',
  },
  // Ours: nothing was done, the same message may be sent again
  WORKFLOW_UNAVAILABLE: {
    infcode: 9001,
    http: 503,
    stored: false,
    meaning: '工作流服务未应答，交易未办理；请用同一报文稍后重发',
  },
  DATABASE_UNAVAILABLE: {
    infcode: 9002,
    http: 503,
    stored: false,
    meaning: '数据库暂时不可用，交易未办理；请用同一报文稍后重发',
  },
  INTERNAL: {
    infcode: 9999,
    http: 500,
    stored: false,
    meaning: '服务器内部错误，已记录日志；请用同一报文重发',
  },
} as const satisfies Record<string, { infcode: number; http: number; stored: boolean; meaning: string }>;

export type InfcodeName = keyof typeof INFCODES;

/** Every refusal the stay workflow can answer reaches the hospital as its own infcode. */
const refusalsCatalogued: StayRefusalCode extends InfcodeName ? true : never = true;
void refusalsCatalogued;

export const INFCODE_LIST = Object.keys(INFCODES) as InfcodeName[];
