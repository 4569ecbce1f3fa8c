/**
 * The settlement as people read it: Chinese names of the national setlinfo fields and setldetail
 * steps, and one row shape for a settlement and its fee lines whether they come from the read views
 * (fen) or from a national answer at the counter (yuan strings, converted by `fenOf`).
 */
import type { ChrgitmLv, FeeLineView, SetlDetail, Setlinfo } from './api/types';
import { fenOf } from './money';

export type SetlinfoFen = Record<keyof Setlinfo, number>;

/** setlinfo, in the order a statement reads: the bill, what the catalogue excludes, who pays. */
export const SETLINFO_LABELS: [keyof Setlinfo, string][] = [
  ['medfee_sumamt', '医疗费用总额'],
  ['fulamt_ownpay_amt', '全自费金额'],
  ['overlmt_selfpay', '超限价自费金额'],
  ['preselfpay_amt', '先行自付金额'],
  ['inscp_scp_amt', '符合政策范围金额'],
  ['act_pay_dedc', '实际支付起付线'],
  ['pool_prop_selfpay', '统筹范围内个人自付'],
  ['hifp_pay', '统筹基金支付'],
  ['hifmi_pay', '大病保险支付'],
  ['hifob_pay', '职工大额医疗费用补助'],
  ['cvlserv_pay', '公务员医疗补助'],
  ['hifes_pay', '企业补充医疗保险'],
  ['maf_pay', '医疗救助'],
  ['oth_pay', '其他基金支付'],
  ['fund_pay_sumamt', '基金支付合计'],
  ['psn_part_amt', '个人负担合计'],
  ['acct_pay', '个人账户支付'],
  ['psn_cash_pay', '个人现金支付'],
  ['hosp_part_amt', '医院负担'],
  ['balc', '个人账户余额'],
];

/** The parts of the bill, each paid by one payer: the chart's segments (they add up to the bill). */
export const SPLIT: {
  key: keyof Setlinfo;
  label: string;
  side: 'fund' | 'person' | 'hospital';
  color: string;
}[] = [
  { key: 'hifp_pay', label: '统筹基金', side: 'fund', color: '#1d4f91' },
  { key: 'hifmi_pay', label: '大病保险', side: 'fund', color: '#3a78c3' },
  { key: 'hifob_pay', label: '大额补助', side: 'fund', color: '#5b93d3' },
  { key: 'cvlserv_pay', label: '公务员补助', side: 'fund', color: '#7eaadf' },
  { key: 'hifes_pay', label: '企业补充', side: 'fund', color: '#9fbfe8' },
  { key: 'maf_pay', label: '医疗救助', side: 'fund', color: '#2b7a0b' },
  { key: 'oth_pay', label: '其他基金', side: 'fund', color: '#5aa33a' },
  { key: 'acct_pay', label: '个人账户', side: 'person', color: '#d98b00' },
  { key: 'psn_cash_pay', label: '个人现金', side: 'person', color: '#c0262d' },
  { key: 'hosp_part_amt', label: '医院负担', side: 'hospital', color: '#8a8f99' },
];

export const STEP_LABELS: Record<string, string> = {
  classify: '费用分类（目录）',
  deductible: '起付标准',
  hifp: '统筹基金',
  serious_illness: '大病保险',
  cvlserv: '公务员医疗补助',
  oth: '其他补助',
  maf: '医疗救助',
  acct: '个人账户',
};

/** 基金支付类型 (settlement/fund-pay-type.ts): the national answers name a step by its fund only. */
export const FUND_PAY_TYPE_LABELS: Record<string, string> = {
  '310100': '职工基本医疗保险统筹基金',
  '310200': '职工基本医疗保险个人账户',
  '320100': '公务员医疗补助资金',
  '330100': '职工大额医疗费用补助基金',
  '390100': '城乡居民基本医疗保险基金',
  '390200': '城乡居民大病医疗保险资金',
  '610100': '医疗救助基金',
};

export const GRADE_LABELS: Record<ChrgitmLv, string> = { '01': '甲类', '02': '乙类', '03': '丙类' };

export interface StepRow {
  step: string;
  title: string;
  rule: string;
  text: string;
  inscp_scp_amt: number | null;
  crt_payb_lmt_amt: number | null;
  fund_payamt: number | null;
}

export interface FeeRow {
  feedetl_sn: string;
  name: string;
  code: string;
  det_item_fee_sumamt: number;
  chrgitm_lv: string;
  selfpay_prop: number | string;
  pric_uplmt_amt: number;
  fulamt_ownpay_amt: number;
  overlmt_amt: number;
  preselfpay_amt: number;
  inscp_scp_amt: number;
  explanation: string;
  cancelled: boolean;
}

export function stepRows(detail: readonly SetlDetail[]): StepRow[] {
  return detail.map((d) => ({
    step: d.step,
    title: STEP_LABELS[d.step] ?? d.step,
    rule: d.rule,
    text: d.setl_proc_info,
    inscp_scp_amt: d.inscp_scp_amt,
    crt_payb_lmt_amt: d.crt_payb_lmt_amt,
    fund_payamt: d.fund_payamt,
  }));
}

export function feeRows(fees: readonly FeeLineView[]): FeeRow[] {
  return fees.map((f) => ({
    feedetl_sn: f.feedetl_sn,
    name: f.list_name ?? f.medins_list_name ?? f.med_list_codg,
    code: f.med_list_codg,
    det_item_fee_sumamt: f.det_item_fee_sumamt,
    chrgitm_lv: f.chrgitm_lv,
    selfpay_prop: f.selfpay_prop,
    pric_uplmt_amt: f.pric_uplmt_amt,
    fulamt_ownpay_amt: f.fulamt_ownpay_amt,
    overlmt_amt: f.overlmt_amt,
    preselfpay_amt: f.preselfpay_amt,
    inscp_scp_amt: f.inscp_scp_amt,
    explanation: f.explanation,
    cancelled: f.status === 'CANCELLED',
  }));
}

// ── National answers (yuan strings) ──────────────────────────────────────────────────────────────

type National = Record<string, unknown>;
const text = (v: unknown) => (typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v));
const fen = (v: unknown) => fenOf(v as string | number | null | undefined) ?? 0;

export function setlinfoOfNational(setlinfo: National): SetlinfoFen {
  return Object.fromEntries(SETLINFO_LABELS.map(([key]) => [key, fen(setlinfo[key])])) as SetlinfoFen;
}

export function stepRowsOfNational(detail: National[]): StepRow[] {
  return detail.map((d) => {
    const step = text(d.step);
    return {
      step,
      title:
        STEP_LABELS[step] ??
        (text(d.fund_pay_type_name) ||
          FUND_PAY_TYPE_LABELS[text(d.fund_pay_type)] ||
          text(d.fund_pay_type) ||
          '结算过程'),
      rule: text(d.rule),
      text: text(d.setl_proc_info),
      inscp_scp_amt: fenOf(d.inscp_scp_amt as string),
      crt_payb_lmt_amt: fenOf(d.crt_payb_lmt_amt as string),
      fund_payamt: fenOf(d.fund_payamt as string),
    };
  });
}

/** A 2301 result line, named from the line the counter sent (the answer carries codes only). */
export function feeRowOfNational(
  r: National,
  sent?: { medins_list_name: string; med_list_codg: string },
): FeeRow {
  return {
    feedetl_sn: text(r.feedetl_sn),
    name: sent?.medins_list_name || text(r.med_list_codg) || sent?.med_list_codg || '',
    code: text(r.med_list_codg) || sent?.med_list_codg || '',
    det_item_fee_sumamt: fen(r.det_item_fee_sumamt),
    chrgitm_lv: text(r.chrgitm_lv),
    selfpay_prop: text(r.selfpay_prop),
    pric_uplmt_amt: fen(r.pric_uplmt_amt),
    fulamt_ownpay_amt: fen(r.fulamt_ownpay_amt),
    overlmt_amt: fen(r.overlmt_amt),
    preselfpay_amt: fen(r.preselfpay_amt),
    inscp_scp_amt: fen(r.inscp_scp_amt),
    explanation: text(r.explanation) || text(r.memo),
    cancelled: false,
  };
}
