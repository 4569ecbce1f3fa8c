// Invariants of the settlement, over generated policies, claims, lines and accumulators.
import fc from 'fast-check';
import {
  ACCUMULATOR_FIELDS,
  type Accumulators,
  type ClaimContext,
  settleClassified,
} from '../../settlement/calculate';
import type { ClassifiedLine } from '../../settlement/catalogue';
import { type Fen, formatYuan } from '../../settlement/money';
import { FILING_TYPES, type Policy, type PolicyDoc, policyToDoc } from '../../settlement/policy';
import { validatePolicy } from '../../settlement/policy-validate';
import { formatRatio, type Ratio } from '../../settlement/ratio';
import { reverse } from '../../settlement/reversal';
import { BASE_DOC, unwrap } from './helpers';

const y = (n: number) => formatYuan(n as Fen);
const r = (n: number) => formatRatio(n as Ratio);
const amount = (max: number) => fc.integer({ min: 0, max });
const ppm = fc.integer({ min: 0, max: 1_000_000 });

const bandsArb = (maxUpto: number) =>
  fc
    .tuple(
      fc.uniqueArray(fc.integer({ min: 1, max: maxUpto }), { maxLength: 3 }),
      fc.array(ppm, { minLength: 4, maxLength: 4 }),
    )
    .map(([uptos, ratios]) => {
      const sorted = [...uptos].sort((a, b) => a - b);
      return [
        ...sorted.map((u, i) => ({ upto: y(u), ratio: r(ratios[i]!) })),
        { upto: null, ratio: r(ratios[3]!) },
      ];
    });

const travellerArb = (lowest: number) =>
  fc.oneof(
    fc.constant({ kind: 'none' as const }),
    fc.integer({ min: 0, max: lowest }).map((p) => ({ kind: 'points_off' as const, points: r(p) })),
    ppm.map((f) => ({ kind: 'multiplier' as const, factor: r(f) })),
  );

const capArb = fc.integer({ min: 1, max: 50_000_000 });

const policyArb: fc.Arbitrary<Policy> = fc
  .record({
    insutype: fc.constantFrom('310' as const, '390' as const),
    deductible: fc.oneof(
      amount(500_000).map((a) => ({ kind: 'fixed' as const, amount: y(a) })),
      fc
        .tuple(
          ppm,
          amount(300_000),
          amount(2_000_000),
          fc.constantFrom('medfee_sumamt' as const, 'inscp_scp_amt' as const),
        )
        .map(([share, a, b, basis]) => ({
          kind: 'share_of_stay' as const,
          share: r(share),
          basis,
          floor: y(Math.min(a, b)),
          cap: y(Math.max(a, b, 1)),
        })),
    ),
    annualDedc: fc.option(capArb, { nil: null }),
    bands: bandsArb(10_000_000),
    cap: capArb,
    si: fc.option(fc.record({ threshold: amount(3_000_000), bands: bandsArb(10_000_000), cap: capArb }), {
      nil: null,
    }),
    cs: fc.option(fc.record({ ratio: ppm, cap: capArb }), { nil: null }),
    oth: fc.option(fc.record({ ratio: ppm, cap: capArb }), { nil: null }),
    maf: fc.option(fc.record({ threshold: amount(1_000_000), ratio: ppm, cap: capArb }), { nil: null }),
    acct: fc.option(fc.constantFrom('psn_part_amt' as const, 'inscp_personal_share' as const), { nil: null }),
  })
  .chain((g) => {
    const lowest = Math.min(...g.bands.map((b) => Math.round(Number(b.ratio) * 1_000_000)));
    return fc.tuple(...FILING_TYPES.map(() => travellerArb(lowest))).map(
      (rules): PolicyDoc => ({
        ...BASE_DOC,
        scope: { ...BASE_DOC.scope, insutype: g.insutype },
        deductible: {
          per_stay: g.deductible,
          annual_total_cap: g.annualDedc === null ? null : y(g.annualDedc),
        },
        fund: { bands: g.bands, annual_cap: y(g.cap) },
        temporary_traveller: Object.fromEntries(
          FILING_TYPES.map((f, i) => [f, rules[i]!]),
        ) as PolicyDoc['temporary_traveller'],
        serious_illness:
          g.si === null
            ? null
            : {
                fund: g.insutype === '390' ? 'hifmi' : 'hifob',
                threshold: y(g.si.threshold),
                bands: g.si.bands,
                annual_cap: y(g.si.cap),
              },
        civil_servant: g.cs === null ? null : { ratio: r(g.cs.ratio), annual_cap: y(g.cs.cap) },
        other_fund:
          g.oth === null
            ? null
            : { fund_pay_type: '999999', name: 'other', ratio: r(g.oth.ratio), annual_cap: y(g.oth.cap) },
        medical_assistance:
          g.maf === null
            ? null
            : { threshold_per_stay: y(g.maf.threshold), ratio: r(g.maf.ratio), annual_cap: y(g.maf.cap) },
        personal_account: g.acct === null || g.insutype === '390' ? null : { covers: g.acct },
      }),
    );
  })
  .map((d) => unwrap(validatePolicy(d)));

const lineArb = (maxAmount: number): fc.Arbitrary<ClassifiedLine> =>
  fc
    .record({
      amt: amount(maxAmount),
      lv: fc.constantFrom('01' as const, '02' as const, '03' as const),
      prop: ppm,
      over: ppm,
    })
    .map(({ amt, lv, prop, over }) => ({
      feedetl_sn: '1',
      det_item_fee_sumamt: amt as Fen,
      chrgitm_lv: lv,
      selfpay_prop: (lv === '02' ? prop : 0) as Ratio,
      overlmt_amt: (lv === '03' ? 0 : Math.floor((amt * over) / 1_000_000 / 4)) as Fen,
    }));

// Mostly realistic stays, sometimes huge amounts to cross into the bigint path.
const linesArb = fc.oneof(
  { weight: 4, arbitrary: fc.array(lineArb(5_000_000), { minLength: 1, maxLength: 12 }) },
  { weight: 1, arbitrary: fc.array(lineArb(2_000_000_000_000), { minLength: 1, maxLength: 3 }) },
);

const accArb: fc.Arbitrary<Accumulators> = fc
  .tuple(...ACCUMULATOR_FIELDS.map(() => amount(60_000_000)))
  .map((v) => Object.fromEntries(ACCUMULATOR_FIELDS.map((k, i) => [k, v[i]!])) as unknown as Accumulators);

const caseArb = fc.record({
  policy: policyArb,
  lines: linesArb,
  acc: accArb,
  filing_type: fc.constantFrom(...FILING_TYPES),
  cvlserv_flag: fc.boolean(),
  maf_eligible: fc.boolean(),
  psn_type: fc.constantFrom('in_service' as const, 'retired' as const),
});

type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

function claimOf(c: Case): ClaimContext {
  return {
    psn_no: 'P',
    insutype: c.policy.scope.insutype,
    psn_type: c.psn_type,
    med_type: '21',
    filing_type: c.filing_type,
    cvlserv_flag: c.cvlserv_flag,
    maf_eligible: c.maf_eligible,
  };
}

function run(c: Case, lines = c.lines, acc = c.acc) {
  return unwrap(settleClassified(lines, claimOf(c), c.policy, acc));
}

const RUNS = { numRuns: 400 };

describe('settlement invariants', () => {
  test('medfee_sumamt = fulamt_ownpay_amt + overlmt_selfpay + preselfpay_amt + inscp_scp_amt', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const s = run(c).setlinfo;
        expect(s.fulamt_ownpay_amt + s.overlmt_selfpay + s.preselfpay_amt + s.inscp_scp_amt).toBe(
          s.medfee_sumamt,
        );
        expect(s.medfee_sumamt).toBe(c.lines.reduce((t, l) => t + l.det_item_fee_sumamt, 0));
      }),
      RUNS,
    );
  });

  test('psn_part_amt = medfee_sumamt − fund_pay_sumamt; fund_pay_sumamt is the sum of the funds', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const s = run(c).setlinfo;
        expect(s.fund_pay_sumamt).toBe(
          s.hifp_pay + s.hifmi_pay + s.hifob_pay + s.cvlserv_pay + s.oth_pay + s.maf_pay + s.hifes_pay,
        );
        expect(s.psn_part_amt).toBe(s.medfee_sumamt - s.fund_pay_sumamt);
        expect(s.psn_cash_pay).toBe(s.psn_part_amt - s.acct_pay);
        // Deductible, co-pay and the pool fund never exceed what is in scope (the rest is above the cap).
        expect(s.act_pay_dedc + s.pool_prop_selfpay + s.hifp_pay).toBeLessThanOrEqual(s.inscp_scp_amt);
      }),
      RUNS,
    );
  });

  test('no negative amounts, integers only, in setlinfo, setldetail and accumulators', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const st = run(c);
        const all = [
          ...Object.values(st.setlinfo),
          ...Object.values(st.accumulators_after),
          ...st.setldetail.flatMap((d) => [
            d.amount,
            d.fund_payamt,
            d.inscp_scp_amt,
            d.crt_payb_lmt_amt ?? 0,
          ]),
        ];
        for (const v of all) {
          expect(Number.isSafeInteger(v)).toBe(true);
          expect(v).toBeGreaterThanOrEqual(0);
        }
      }),
      RUNS,
    );
  });

  test('caps are never exceeded and the account never goes below zero', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const st = run(c);
        const s = st.setlinfo;
        const p = c.policy;
        const left = (cap: number, used: number) => Math.max(0, cap - used);
        expect(s.hifp_pay).toBeLessThanOrEqual(left(p.fund.annual_cap, c.acc.hifp_paid_ytd));
        if (p.serious_illness !== null) {
          expect(s.hifmi_pay + s.hifob_pay).toBeLessThanOrEqual(
            left(p.serious_illness.annual_cap, c.acc.si_paid_ytd),
          );
        } else expect(s.hifmi_pay + s.hifob_pay).toBe(0);
        expect(s.cvlserv_pay).toBeLessThanOrEqual(
          p.civil_servant === null ? 0 : left(p.civil_servant.annual_cap, c.acc.cvlserv_paid_ytd),
        );
        expect(s.oth_pay).toBeLessThanOrEqual(
          p.other_fund === null ? 0 : left(p.other_fund.annual_cap, c.acc.oth_paid_ytd),
        );
        expect(s.maf_pay).toBeLessThanOrEqual(
          p.medical_assistance === null ? 0 : left(p.medical_assistance.annual_cap, c.acc.maf_paid_ytd),
        );
        expect(s.acct_pay).toBeLessThanOrEqual(c.acc.acct_balc);
        expect(s.fund_pay_sumamt).toBeLessThanOrEqual(s.inscp_scp_amt);
        const annual = p.deductible.annual_total_cap;
        if (annual !== null) expect(s.act_pay_dedc).toBeLessThanOrEqual(left(annual, c.acc.dedc_paid_ytd));
      }),
      RUNS,
    );
  });

  test('settle, reverse, settle again = settle once (numbers and accumulators)', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const once = run(c);
        const back = unwrap(reverse(once, once.accumulators_after));
        expect(back.accumulators_after).toEqual(c.acc);
        expect(run(c, c.lines, back.accumulators_after)).toEqual(once);
      }),
      RUNS,
    );
  });

  test('monotonicity: another fee line never lowers the personal share', () => {
    fc.assert(
      fc.property(caseArb, lineArb(5_000_000), (c, extra) => {
        const before = run(c).setlinfo.psn_part_amt;
        const after = run(c, [...c.lines, extra]).setlinfo.psn_part_amt;
        expect(after).toBeGreaterThanOrEqual(before);
      }),
      RUNS,
    );
  });

  test('monotonicity: one more fen on a line never lowers the personal share', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const bumped = c.lines.map((l, i) =>
          i === 0 ? { ...l, det_item_fee_sumamt: (l.det_item_fee_sumamt + 1) as Fen } : l,
        );
        expect(run(c, bumped).setlinfo.psn_part_amt).toBeGreaterThanOrEqual(run(c).setlinfo.psn_part_amt);
      }),
      RUNS,
    );
  });

  test('generated policies survive policyToDoc → validatePolicy unchanged', () => {
    fc.assert(
      fc.property(policyArb, (p) => {
        expect(unwrap(validatePolicy(policyToDoc(p)))).toEqual(p);
      }),
      { numRuns: 200 },
    );
  });
});
