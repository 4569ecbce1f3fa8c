// setldetail: one record per step, in order, quoting the rule and the parameters used — the
// "explanation of benefits" a citizen or a coordinator reads. Built from figures already computed;
// the policy's static text is cached per policy object so a settlement only formats its own amounts.
import type { Accumulators, ClaimContext, Setlinfo, Workings } from './calculate';
import type { LineTotals } from './classify';
import { FUND_PAY_TYPE as FUND_PAY_TYPES, poolFundPayType as poolFundPayTypeOf } from './fund-pay-type';
import { type Fen, formatYuan } from './money';
import type { Policy } from './policy';
import { type Band, PPM as ONE_PPM, percent as percentOf } from './ratio';

// Module-level aliases: the CommonJS output of tsx and swc reads every imported binding through a
// getter on each use, which showed as a fifth of the hot path's time in a CPU profile.
const y = formatYuan;
const percent = percentOf;
const PPM = ONE_PPM;
const FUND_PAY_TYPE = FUND_PAY_TYPES;
const poolFundPayType = poolFundPayTypeOf;

export type SetlStep =
  | 'classify'
  | 'deductible'
  | 'hifp'
  | 'serious_illness'
  | 'cvlserv'
  | 'oth'
  | 'maf'
  | 'acct';

export interface SetlDetail {
  readonly step: SetlStep;
  /** National fund_pay_type code, or null for a step that is not a fund payment. */
  readonly fund_pay_type: string | null;
  /** The rule applied and its parameters. */
  readonly rule: string;
  /** What the step produced (the deductible, a fund payment, the in-scope amount…). */
  readonly amount: Fen;
  /** The base the step worked on. */
  readonly inscp_scp_amt: Fen;
  /** The limit still available before this step (cap left), or null when none applies. */
  readonly crt_payb_lmt_amt: Fen | null;
  readonly fund_payamt: Fen;
  /** The explanation in words (结算过程信息). */
  readonly setl_proc_info: string;
}

interface PolicyText {
  readonly deductible: string;
  readonly fundBands: string;
  readonly siBands: string;
}

const cache = new WeakMap<Policy, PolicyText>();

export function describeBands(bands: readonly Band[]): string {
  let lo = 0;
  const parts: string[] = [];
  for (const b of bands) {
    parts.push(`${y(lo as Fen)}–${b.upto === null ? '∞' : y(b.upto)} @${percent(b.ratio)}`);
    if (b.upto !== null) lo = b.upto;
  }
  return parts.join(', ');
}

function policyText(p: Policy): PolicyText {
  let t = cache.get(p);
  if (t !== undefined) return t;
  const d = p.deductible.per_stay;
  const perStay =
    d.kind === 'fixed'
      ? `fixed ${y(d.amount)} per stay`
      : `${percent(d.share)} of ${d.basis}, floor ${y(d.floor)}, cap ${y(d.cap)}`;
  const annual = p.deductible.annual_total_cap;
  t = {
    deductible: `deductible ${perStay}${annual === null ? '' : `; annual total cap ${y(annual)}`} (${p.policy_id} v${p.version})`,
    fundBands: describeBands(p.fund.bands),
    siBands: p.serious_illness === null ? '' : describeBands(p.serious_illness.bands),
  };
  cache.set(p, t);
  return t;
}

function detail(
  step: SetlStep,
  fund_pay_type: string | null,
  rule: string,
  amount: Fen,
  base: Fen,
  limit: Fen | null,
  info: string,
): SetlDetail {
  return {
    step,
    fund_pay_type,
    rule,
    amount,
    inscp_scp_amt: base,
    crt_payb_lmt_amt: limit,
    fund_payamt: fund_pay_type === null ? (0 as Fen) : amount,
    setl_proc_info: info,
  };
}

const ZERO = 0 as Fen;

export function explain(
  t: LineTotals,
  s: Setlinfo,
  w: Workings,
  claim: ClaimContext,
  p: Policy,
  acc: Accumulators,
): SetlDetail[] {
  const pt = policyText(p);
  const out: SetlDetail[] = [];
  const inscp = s.inscp_scp_amt;

  out.push(
    detail(
      'classify',
      null,
      `treatment-place catalogue: ${t.line_count} line(s); 甲 in scope, 乙 less 先行自付, 丙${t.unlisted_count > 0 ? ` and ${t.unlisted_count} unlisted` : ''} self-paid, over price limit self-paid`,
      inscp,
      s.medfee_sumamt,
      null,
      `总费用${y(s.medfee_sumamt)} = 全自费${y(s.fulamt_ownpay_amt)} + 超限价自费${y(s.overlmt_selfpay)} + 先行自付${y(s.preselfpay_amt)} + 符合范围${y(inscp)}`,
    ),
  );

  out.push(
    detail(
      'deductible',
      null,
      `${pt.deductible}; this stay ${y(w.dedc_per_stay)}, paid this year ${y(acc.dedc_paid_ytd)}, applies ${y(w.dedc_std)}`,
      s.act_pay_dedc,
      inscp,
      w.dedc_std,
      `起付线${y(w.dedc_std)}，本次符合范围${y(inscp)}，个人先付起付线${y(s.act_pay_dedc)}`,
    ),
  );

  const adj =
    w.points !== 0
      ? `; ${claim.filing_type} traveller: ${percent(w.points)} points off`
      : w.factor !== PPM
        ? `; ${claim.filing_type} traveller: ratio × ${percent(w.factor)}`
        : '';
  const capped = s.hifp_pay < w.hifp_uncapped ? `, capped from ${y(w.hifp_uncapped)}` : '';
  out.push(
    detail(
      'hifp',
      poolFundPayType(claim.insutype),
      `fund bands [${pt.fundBands}] on ${y(s.act_pay_dedc)}–${y(inscp)}${adj}; annual cap ${y(p.fund.annual_cap)}, paid this year ${y(acc.hifp_paid_ytd)}${capped}`,
      s.hifp_pay,
      (inscp - s.act_pay_dedc) as Fen,
      w.hifp_cap_left,
      `统筹基金支付${y(s.hifp_pay)}（起付线以上${y((inscp - s.act_pay_dedc) as Fen)}按比例，年度剩余限额${y(w.hifp_cap_left)}）`,
    ),
  );

  const si = p.serious_illness;
  if (si === null) {
    out.push(
      detail(
        'serious_illness',
        null,
        'no serious-illness layer in this policy',
        ZERO,
        w.si_share,
        null,
        '无大病/大额保险',
      ),
    );
  } else {
    const paid = si.fund === 'hifmi' ? s.hifmi_pay : s.hifob_pay;
    out.push(
      detail(
        'serious_illness',
        si.fund === 'hifmi' ? FUND_PAY_TYPE.resident_serious_illness : FUND_PAY_TYPE.employee_large,
        `${si.fund}: year's in-scope personal share ${y(acc.si_base_ytd)} + ${y(w.si_share)} above threshold ${y(si.threshold)}, bands [${pt.siBands}]; annual cap ${y(si.annual_cap)}, paid this year ${y(acc.si_paid_ytd)}${paid < w.si_uncapped ? `, capped from ${y(w.si_uncapped)}` : ''}`,
        paid,
        w.si_share,
        w.si_cap_left,
        `${si.fund === 'hifmi' ? '大病保险' : '大额医疗补助'}支付${y(paid)}`,
      ),
    );
  }

  const cs = p.civil_servant;
  out.push(
    cs === null || !claim.cvlserv_flag
      ? detail(
          'cvlserv',
          null,
          cs === null
            ? 'no civil-servant subsidy in this policy'
            : 'person is not entitled to the civil-servant subsidy',
          ZERO,
          w.cvlserv_base,
          null,
          '无公务员医疗补助',
        )
      : detail(
          'cvlserv',
          FUND_PAY_TYPE.civil_servant,
          `civil-servant subsidy ${percent(cs.ratio)} of ${y(w.cvlserv_base)}; annual cap ${y(cs.annual_cap)}, paid this year ${y(acc.cvlserv_paid_ytd)}`,
          s.cvlserv_pay,
          w.cvlserv_base,
          w.cvlserv_cap_left,
          `公务员医疗补助支付${y(s.cvlserv_pay)}`,
        ),
  );

  const of = p.other_fund;
  out.push(
    of === null
      ? detail('oth', null, 'no other fund in this policy', ZERO, w.oth_base, null, '无其他基金')
      : detail(
          'oth',
          of.fund_pay_type,
          `${of.name} ${percent(of.ratio)} of ${y(w.oth_base)}; annual cap ${y(of.annual_cap)}, paid this year ${y(acc.oth_paid_ytd)}`,
          s.oth_pay,
          w.oth_base,
          w.oth_cap_left,
          `${of.name}支付${y(s.oth_pay)}`,
        ),
  );

  const ma = p.medical_assistance;
  out.push(
    ma === null || !claim.maf_eligible
      ? detail(
          'maf',
          null,
          ma === null
            ? 'no medical assistance in this policy'
            : 'person is not eligible for medical assistance',
          ZERO,
          w.maf_base,
          null,
          '无医疗救助',
        )
      : detail(
          'maf',
          FUND_PAY_TYPE.medical_assistance,
          `medical assistance ${percent(ma.ratio)} of ${y(w.maf_base)} above ${y(ma.threshold_per_stay)} per stay; annual cap ${y(ma.annual_cap)}, paid this year ${y(acc.maf_paid_ytd)}`,
          s.maf_pay,
          w.maf_base,
          w.maf_cap_left,
          `医疗救助支付${y(s.maf_pay)}`,
        ),
  );

  const pa = p.personal_account;
  out.push(
    pa === null
      ? detail(
          'acct',
          null,
          'personal account not usable under this policy',
          ZERO,
          s.psn_part_amt,
          null,
          '个人账户不可用',
        )
      : detail(
          'acct',
          FUND_PAY_TYPE.personal_account,
          `personal account covers ${pa.covers} ${y(w.acct_usable)}, balance ${y(acc.acct_balc)}`,
          s.acct_pay,
          w.acct_usable,
          acc.acct_balc,
          `个人账户支付${y(s.acct_pay)}，余额${y(s.balc)}；个人现金支付${y(s.psn_cash_pay)}`,
        ),
  );
  return out;
}
