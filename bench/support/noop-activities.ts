/**
 * The baseline of `npm run bench e2e`: the activities the hospitalization and settlement workflows call,
 * answering with results shaped like the real ones (the same fields, Chinese texts of about the same
 * length) without touching the database or the settlement core. The same workflows on these show what
 * Temporal, the devserver, the worker and the API cost by themselves. Bench-only: never in production.
 */
import type { Activities } from '../../activities';
import type { CompensationAssessment } from '../../activities/compensation';
import type { AdmissionChecked, FeeTotals, StayRefusal } from '../../activities/stay';
import type { FeeLineResult, SettlementResult } from '../../cases';
import { type Fen, type Ratio, type SetlDetail, type Setlinfo, ZERO_ACCUMULATORS } from '../../settlement';

type StayActivities = Pick<
  Activities,
  | 'admitStay'
  | 'findCoveringFiling'
  | 'storeFeeLines'
  | 'cancelFeeLines'
  | 'projectStay'
  | 'presettle'
  | 'recordSettlement'
  | 'recordReversal'
  | 'assessCompensation'
  | 'projectCompensation'
>;

const f = (n: number) => n as Fen;
const NO_RATIO = 0 as Ratio;

/** A typical settlement's figures (合肥 policy, a ~9000 yuan stay): the amounts only fill the shape. */
const SETLINFO: Setlinfo = {
  medfee_sumamt: f(900_000),
  fulamt_ownpay_amt: f(240_000),
  overlmt_selfpay: f(20_000),
  preselfpay_amt: f(3_000),
  inscp_scp_amt: f(637_000),
  act_pay_dedc: f(60_000),
  hifp_pay: f(403_900),
  pool_prop_selfpay: f(173_100),
  cvlserv_pay: f(0),
  hifes_pay: f(0),
  hifmi_pay: f(0),
  hifob_pay: f(0),
  maf_pay: f(0),
  oth_pay: f(0),
  fund_pay_sumamt: f(403_900),
  psn_part_amt: f(496_100),
  acct_pay: f(0),
  psn_cash_pay: f(496_100),
  hosp_part_amt: f(0),
  balc: f(0),
};

const step = (
  s: SetlDetail['step'],
  fund_pay_type: string | null,
  amount: number,
  text: string,
): SetlDetail => ({
  step: s,
  fund_pay_type,
  rule: `合肥市职工基本医疗保险住院待遇（2026版）第${text.length % 9}条`,
  amount: f(amount),
  inscp_scp_amt: f(637_000),
  crt_payb_lmt_amt: fund_pay_type ? f(30_000_000) : null,
  fund_payamt: f(fund_pay_type ? amount : 0),
  setl_proc_info: text,
});

const SETLDETAIL: SetlDetail[] = [
  step('deductible', null, 60_000, '起付标准 600.00元（三级医院，异地就医不降低），本次支付 600.00元'),
  step(
    'classify',
    null,
    637_000,
    '政策范围内 6370.00元；全自费 2400.00元（丙类 DRG002）；超限价 200.00元；先行自付 30.00元',
  ),
  step(
    'hifp',
    '310100',
    403_900,
    '统筹基金：政策范围内 6370.00元减起付线后按 70% 支付 4039.00元，年度限额内',
  ),
  step('serious_illness', '310200', 0, '大额医疗：统筹基金限额内，本次不支付'),
  step('cvlserv', '320100', 0, '公务员医疗补助：非补助对象，本次不支付'),
  step('acct', null, 0, '个人账户：未使用（acct_used_flag 0）'),
];

export function noopActivities(): StayActivities {
  return {
    // The 待遇补差 child every settlement starts: compared, no gap (the common case).
    async assessCompensation({ setl_id }): Promise<CompensationAssessment> {
      return {
        prov_admdvs: '340000',
        psn_no: 'P0',
        psn_name: '基准',
        mdtrt_id: setl_id.slice(0, -3),
        fixmedins_name: '基准医院',
        insutype: '310',
        dscg_date: '2026-12-01',
        medfee_sumamt: SETLINFO.medfee_sumamt,
        direct_fund_pay: SETLINFO.fund_pay_sumamt,
        recomputed_fund_pay: SETLINFO.fund_pay_sumamt,
        difference: 0,
        gap: 0,
        qualifies: false,
        not_eligible_reason: '比较后无需补差：按参保地目录和政策计算，基金支付不高于直接结算',
        steps: [],
        items: [],
        catalogue_admvs: '340100',
        policy: null,
        sla: { review_working_days: 10, supervisor_working_days: 5 },
        acc_year: 2026,
        accumulator_effect: ZERO_ACCUMULATORS,
      };
    },
    async projectCompensation() {},
    async admitStay(args): Promise<AdmissionChecked | StayRefusal> {
      return {
        psn_name: '基准',
        insuplc_admdvs: args.admission.insuplc_admdvs,
        prov_admdvs: `${args.admission.insuplc_admdvs.slice(0, 2)}0000`,
        fixmedins_name: args.admission.fixmedins_name,
        coverage: {
          kind: 'filing',
          filing_id: `filing-${args.admission.psn_no}`,
          category: 'other_temporary',
        },
      };
    },
    async findCoveringFiling() {
      return { coverage: null, elsewhere: null };
    },
    // One batch per stay in the bench: the batch's totals are the stay's.
    async storeFeeLines(args): Promise<({ result: FeeLineResult[] } & FeeTotals) | StayRefusal> {
      const result = args.lines.map(
        (l): FeeLineResult => ({
          feedetl_sn: l.feedetl_sn,
          med_list_codg: l.med_list_codg,
          det_item_fee_sumamt: l.det_item_fee_sumamt,
          cnt_e4: l.cnt_e4,
          pric_e4: l.pric_e4,
          chrgitm_lv: '01',
          selfpay_prop: NO_RATIO,
          pric_uplmt_amt: 0,
          fulamt_ownpay_amt: 0,
          overlmt_amt: 0,
          preselfpay_amt: 0,
          inscp_scp_amt: l.det_item_fee_sumamt,
          explanation: `${l.med_list_codg} 在就医地（510100）目录中为甲类，全额纳入政策范围（目录 2026-01-01 版）`,
        }),
      );
      const medfee_sumamt = args.lines.reduce((s, l) => s + l.det_item_fee_sumamt, 0);
      return { result, fee_count: args.lines.length, medfee_sumamt };
    },
    async cancelFeeLines() {
      return { fee_count: 0, medfee_sumamt: 0 };
    },
    async projectStay() {},
    async presettle(args) {
      return settlement(null, args.stay.mdtrt_id, args.stay.psn_no, args.stay.insuplc_admdvs, args.setl_time);
    },
    async recordSettlement(args) {
      const { stay } = args;
      return settlement(args.setl_id, stay.mdtrt_id, stay.psn_no, stay.insuplc_admdvs, args.setl_time);
    },
    async recordReversal(args) {
      return {
        setl_id: args.setl_id,
        original_setl_id: args.original_setl_id,
        mdtrt_id: args.setl_id.slice(0, -3),
        setl_time: args.setl_time,
        setlinfo: SETLINFO,
      };
    },
  };
}

function settlement(
  setl_id: string | null,
  mdtrt_id: string,
  psn_no: string,
  insuplc_admdvs: string,
  setl_time: string,
): SettlementResult {
  return {
    setl_id,
    mdtrt_id,
    psn_no,
    setl_time,
    insutype: '310',
    psn_type: 'in_service',
    setlinfo: SETLINFO,
    setldetail: SETLDETAIL,
    policy: {
      policy_id: '340100-310-21-L3-I',
      version: 1,
      name: '合肥市职工基本医疗保险住院待遇',
      source: '合医保〔2026〕1号',
    },
    clr_optins: insuplc_admdvs,
    clr_way: '1',
    clr_type: '21',
  };
}
