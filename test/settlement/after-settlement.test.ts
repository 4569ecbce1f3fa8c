// Reversal, 待遇补差, clearing and 预付金.
import { advanceFundStatus, parseAdvanceFundParams, sizeAdvanceFund } from '../../settlement/advance-fund';
import { calculate, settle } from '../../settlement/calculate';
import { parseFeeDetail, validateCatalogue } from '../../settlement/catalogue';
import { type ClearingItem, clearingItem, clearMonth } from '../../settlement/clearing';
import {
  CAPPED_FUNDS,
  capCompensationPayment,
  compensationPayment,
  computeCompensation,
  validateCompensationParams,
} from '../../settlement/compensation';
import {
  ADVANCE_FUND_PARAMS,
  CHENGDU_CATALOGUE,
  COMPENSATION_PARAMS,
  DEMO_POLICIES,
  HAIKOU_CATALOGUE,
} from '../../settlement/fixtures';
import { fen } from '../../settlement/money';
import { validatePolicy } from '../../settlement/policy-validate';
import { accumulatorEffect, reverse } from '../../settlement/reversal';
import { acc, claim, pol, totals, unwrap, Y } from './helpers';

describe('reversal (结算撤销)', () => {
  const p = pol({
    deductible: { per_stay: { kind: 'fixed', amount: '800.00' }, annual_total_cap: '800.00' },
  });

  test('gives back deductible and fund use; settling again gives the same numbers', () => {
    const before = acc({ dedc_paid_ytd: Y(300), hifp_paid_ytd: Y(1_000) });
    const s1 = unwrap(calculate(totals(Y(10_000)), claim(), p, before));
    const r = unwrap(reverse(s1, s1.accumulators_after));
    expect(r.accumulators_after).toEqual(before);
    expect(r.given_back.dedc_paid_ytd).toBe(Y(500));
    expect(r.explanation.join('\n')).toContain('dedc_paid_ytd: 500.00 given back');
    const s2 = unwrap(calculate(totals(Y(10_000)), claim(), p, r.accumulators_after));
    expect(s2).toEqual(s1);
  });

  test('gives the personal account back', () => {
    const hefei = unwrap(validatePolicy(DEMO_POLICIES.find((d) => d.policy_id === '340100-310-21-L3-I')));
    const s = unwrap(calculate(totals(Y(5_000)), claim(), hefei, acc({ acct_balc: Y(200) })));
    expect(s.setlinfo.acct_pay).toBe(Y(200));
    const r = unwrap(reverse(s, s.accumulators_after));
    expect(r.accumulators_after.acct_balc).toBe(Y(200));
  });

  test('refuses when the accumulators hold less than the settlement added', () => {
    const s = unwrap(calculate(totals(Y(10_000)), claim(), p, acc()));
    const r = reverse(s, acc());
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.errors.map((e) => e.path)).toEqual([
        'accumulators.dedc_paid_ytd',
        'accumulators.hifp_paid_ytd',
        'accumulators.si_base_ytd',
      ]);
  });
});

describe('待遇补差: the Hainan patient treated in Chengdu', () => {
  const haikou = unwrap(validatePolicy(DEMO_POLICIES.find((d) => d.scope.admvs === '460000')));
  const chengdu = unwrap(validateCatalogue(CHENGDU_CATALOGUE));
  const hainan = unwrap(validateCatalogue(HAIKOU_CATALOGUE));
  const lines = unwrap(
    parseFeeDetail([
      { feedetl_sn: '1', med_list_codg: 'SUR001', det_item_fee_sumamt: '19000.00', cnt: '1' },
      { feedetl_sn: '2', med_list_codg: 'DRG002', det_item_fee_sumamt: '30000.00', cnt: '1' },
    ]),
  );
  const c = claim({ insutype: '390' });
  const direct = unwrap(settle({ claim: c, lines, catalogue: chengdu, policy: haikou, accumulators: acc() }));
  const params = unwrap(validateCompensationParams(COMPENSATION_PARAMS['460000']));
  const base = {
    direct,
    lines,
    claim: c,
    insured_catalogue: hainan,
    insured_policy: haikou,
    dscg_date: '2025-03-10',
    params,
  };

  test('direct settlement: the 丙 drug is all self-paid', () => {
    expect(direct.setlinfo.fulamt_ownpay_amt).toBe(Y(30_000));
    // 19,000 in scope: (19,000 − 1,000) × 0.70 = 12,600; share 6,400 below the 大病 threshold
    expect(direct.setlinfo.fund_pay_sumamt).toBe(Y(12_600));
  });

  test('recomputed under Hainan’s catalogue: over 10,000 more, qualifies', () => {
    const comp = unwrap(computeCompensation({ ...base, appy_date: '2025-04-01' }));
    // In scope 19,000 + 24,000 (乙 20% first) = 43,000; (43,000 − 1,000) × 0.70 = 29,400;
    // share 13,600, 1,600 above the 12,000 threshold × 0.60 = 960 → 30,360.
    expect(comp.recomputed_fund_pay).toBe(Y(30_360));
    expect(comp.difference).toBe(Y(17_760));
    expect(comp.gap).toBe(Y(17_760));
    expect(comp.qualifies).toBe(true);
    expect(comp.steps.map((s) => s.step)).toEqual(['recompute', 'gap', 'enabled', 'threshold', 'deadline']);
    expect(comp.recomputed.setldetail.length).toBeGreaterThan(0);
  });

  test('too late: does not qualify and says why', () => {
    const comp = unwrap(computeCompensation({ ...base, appy_date: '2026-04-01' }));
    expect(comp.qualifies).toBe(false);
    expect(comp.gap).toBe(0);
    expect(comp.steps.find((s) => s.step === 'deadline')?.passed).toBe(false);
  });

  test('below the threshold, or a province without 待遇补差', () => {
    const high = unwrap(
      computeCompensation({ ...base, appy_date: '2025-04-01', params: { ...params, threshold: Y(20_000) } }),
    );
    expect(high.qualifies).toBe(false);
    const off = unwrap(
      computeCompensation({ ...base, appy_date: '2025-04-01', params: { ...params, enabled: false } }),
    );
    expect(off.qualifies).toBe(false);
  });

  describe('paid against the caps as they stand at payment (another stay settled since the comparison)', () => {
    const comp = unwrap(computeCompensation({ ...base, appy_date: '2025-04-01' }));
    const r = accumulatorEffect(comp.recomputed);
    const d = accumulatorEffect(direct);
    // What the gap adds per field: 统筹 29,400 − 12,600 = 16,800; 大病 960 − 0.
    const effect = acc({
      dedc_paid_ytd: fen(r.dedc_paid_ytd - d.dedc_paid_ytd),
      hifp_paid_ytd: fen(r.hifp_paid_ytd - d.hifp_paid_ytd),
      si_base_ytd: fen(r.si_base_ytd - d.si_base_ytd),
      si_paid_ytd: fen(r.si_paid_ytd - d.si_paid_ytd),
    });
    const hifpCap = haikou.fund.annual_cap;
    const siCap = haikou.serious_illness?.annual_cap ?? fen(0);

    test('room left: the whole gap, nothing limited', () => {
      expect(effect.hifp_paid_ytd).toBe(Y(16_800));
      expect(effect.si_paid_ytd).toBe(Y(960));
      const p = capCompensationPayment(comp.gap, effect, direct.accumulators_after, haikou);
      expect(p).toEqual({ paid: comp.gap, effect, limits: [] });
    });

    test('统筹 cap with 10,000 left: its part cut to 10,000, the 大病 part paid as approved', () => {
      const current = acc({ ...direct.accumulators_after, hifp_paid_ytd: fen(hifpCap - Y(10_000)) });
      const p = capCompensationPayment(comp.gap, effect, current, haikou);
      expect(p.paid).toBe(Y(17_760 - 6_800));
      expect(p.effect).toEqual({ ...effect, hifp_paid_ytd: Y(10_000) });
      expect(p.limits).toEqual([
        {
          fund: 'hifp_paid_ytd',
          annual_cap: hifpCap,
          paid_ytd: hifpCap - Y(10_000),
          left: Y(10_000),
          assessed: Y(16_800),
          allowed: Y(10_000),
        },
      ]);
    });

    test('paid: what a cap cuts from 统筹 falls to 大病 on the larger share (recomputed from the accumulators as they stand)', () => {
      const current = acc({ ...direct.accumulators_after, hifp_paid_ytd: fen(hifpCap - Y(10_000)) });
      const p = unwrap(compensationPayment({ ...base, appy_date: '2025-04-01' }, comp.gap, effect, current));
      // 统筹 room 10,000 + the direct 12,600 → 22,600; share 43,000 − 22,600 = 20,400, 8,400 above the
      // 12,000 threshold × 0.60 = 5,040 大病: 27,640 in place of the direct 12,600 → 15,040 (the clamp: 10,960).
      expect(p.paid).toBe(Y(15_040));
      expect(p.effect).toEqual(
        acc({ hifp_paid_ytd: Y(10_000), si_base_ytd: Y(14_000), si_paid_ytd: Y(5_040) }),
      );
      expect(current.hifp_paid_ytd + p.effect.hifp_paid_ytd).toBe(hifpCap);
      expect(p.limits.map((l) => l.fund)).toEqual(['hifp_paid_ytd']);
      // Nothing cut: as approved, whatever the recomputation would say.
      const free = unwrap(
        compensationPayment(
          { ...base, appy_date: '2025-04-01' },
          comp.gap,
          effect,
          direct.accumulators_after,
        ),
      );
      expect(free).toEqual({ paid: comp.gap, effect, limits: [] });
    });

    test('paid, whatever is left: at least the clamp, at most the gap, each fund at or below its cap, the effect sums to the payment', () => {
      for (let left = 0; left <= Y(20_000); left += 99_991) {
        for (const siLeft of [0, Y(500), Y(2_000), Y(100_000)]) {
          const current = acc({
            ...direct.accumulators_after,
            hifp_paid_ytd: fen(hifpCap - left),
            si_paid_ytd: fen(siCap - siLeft),
          });
          const p = unwrap(
            compensationPayment({ ...base, appy_date: '2025-04-01' }, comp.gap, effect, current),
          );
          const clamp = capCompensationPayment(comp.gap, effect, current, haikou);
          expect(p.paid).toBeGreaterThanOrEqual(clamp.paid);
          expect(p.paid).toBeLessThanOrEqual(comp.gap);
          expect(CAPPED_FUNDS.reduce((t, f) => t + p.effect[f], 0)).toBe(p.paid);
          expect(current.hifp_paid_ytd + p.effect.hifp_paid_ytd).toBeLessThanOrEqual(hifpCap);
          expect(current.si_paid_ytd + p.effect.si_paid_ytd).toBeLessThanOrEqual(siCap);
        }
      }
    });

    test('every cap used: nothing paid, nothing moved', () => {
      const current = acc({ hifp_paid_ytd: hifpCap, si_paid_ytd: siCap });
      const p = capCompensationPayment(comp.gap, effect, current, haikou);
      expect(p.paid).toBe(0);
      expect(Object.values(p.effect).every((v) => v === 0)).toBe(true);
      expect(p.limits.map((l) => l.fund)).toEqual(['hifp_paid_ytd', 'si_paid_ytd']);
    });

    test('whatever is left: paid is the gap less the cut, each fund ends at or below its cap', () => {
      for (let left = 0; left <= Y(20_000); left += 99_991) {
        for (const siLeft of [0, Y(500), Y(2_000)]) {
          const current = acc({ hifp_paid_ytd: fen(hifpCap - left), si_paid_ytd: fen(siCap - siLeft) });
          const p = capCompensationPayment(comp.gap, effect, current, haikou);
          const moved = CAPPED_FUNDS.reduce((t, f) => t + p.effect[f], 0);
          expect(moved).toBe(p.paid);
          expect(p.paid).toBe(Math.min(left, Y(16_800)) + Math.min(siLeft, Y(960)));
          expect(current.hifp_paid_ytd + p.effect.hifp_paid_ytd).toBeLessThanOrEqual(hifpCap);
          expect(current.si_paid_ytd + p.effect.si_paid_ytd).toBeLessThanOrEqual(siCap);
        }
      }
    });
  });

  test('malformed parameters are refused', () => {
    expect(validateCompensationParams({ enabled: true, threshold: '-1', deadline_days: 30 }).ok).toBe(false);
    expect(validateCompensationParams({ enabled: 'yes', threshold: '1.00', deadline_days: 30 }).ok).toBe(
      false,
    );
  });
});

describe('clearing (清算)', () => {
  const item = (
    setl_id: string,
    from: string,
    to: string,
    fund: number,
    acct: number,
    kind: 'settle' | 'reverse' = 'settle',
    clr_month = '2025-05',
  ): ClearingItem => ({
    setl_id,
    kind,
    clr_month,
    insuplc_admdvs: from,
    mdtrtarea_admvs: to,
    medfee_sumamt: Y(fund + acct + 100),
    fund_pay_sumamt: Y(fund),
    acct_pay: Y(acct),
  });
  const items = [
    item('S1', '340100', '510100', 1_000, 50), // 安徽 owes 四川 1,050
    item('S2', '341200', '510700', 2_000, 0), // 安徽 owes 四川 2,000
    item('S3', '510100', '340100', 500, 0), // 四川 owes 安徽 500
    item('S4', '460000', '510100', 700, 0), // 海南 owes 四川 700
    item('S2', '341200', '510700', 2_000, 0, 'reverse'), // S2 reversed this month
    item('S0', '460000', '440300', 300, 0, 'reverse'), // reversal of an April settlement
    item('S5', '340100', '341200', 999, 0), // same province: not cross-province
    item('S6', '340100', '510100', 10_000, 0, 'settle', '2025-06'), // another month
  ];

  test('flows per direction, netted per pair, positions sum to zero, totals reconcile', () => {
    const st = unwrap(clearMonth(items, '2025-05'));
    expect(st.flows.map((f) => [f.insured_prov, f.treatment_prov, f.owed])).toEqual([
      ['340000', '510000', Y(1_050)],
      ['460000', '440000', -Y(300)],
      ['460000', '510000', Y(700)],
      ['510000', '340000', Y(500)],
    ]);
    expect(st.transfers).toEqual([
      { payer_prov: '340000', payee_prov: '510000', amount: Y(550) },
      { payer_prov: '440000', payee_prov: '460000', amount: Y(300) },
      { payer_prov: '460000', payee_prov: '510000', amount: Y(700) },
    ]);
    expect(st.excluded).toEqual(['S5']);
    expect(st.total_owed).toBe(Y(1_050 + 2_000 + 500 + 700 - 2_000 - 300));
    expect(st.flows.reduce((s, f) => s + f.owed, 0)).toBe(st.total_owed);
    expect(st.positions.reduce((s, p) => s + p.net, 0)).toBe(0);
  });

  test('a settlement and its reversal cancel out in clearing', () => {
    const s = unwrap(calculate(totals(Y(10_000)), claim(), pol(), acc()));
    const ids = { setl_id: 'S7', clr_month: '2025-05', insuplc_admdvs: '340100', mdtrtarea_admvs: '510100' };
    const st = unwrap(
      clearMonth(
        [clearingItem(s, { ...ids, kind: 'settle' }), clearingItem(s, { ...ids, kind: 'reverse' })],
        '2025-05',
      ),
    );
    expect(st.flows[0]).toMatchObject({ settlements: 1, reversals: 1, owed: 0 });
    expect(st.transfers).toEqual([]);
    expect(st.total_owed).toBe(0);
  });

  test('duplicates and malformed codes are refused', () => {
    const r = clearMonth([items[0]!, items[0]!, item('S9', '34', '510100', 1, 0)], '2025-05');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.path)).toEqual(['items[1].setl_id', 'items[2].insuplc_admdvs']);
    expect(clearMonth([], '2025-13').ok).toBe(false);
  });
});

describe('预付金 (advance fund)', () => {
  const params = unwrap(parseAdvanceFundParams(ADVANCE_FUND_PARAMS));
  test.each([
    [690_000, 'normal', 0],
    [700_000, 'yellow', 0],
    [899_999, 'yellow', 0],
    [900_000, 'red', 800_000],
    [1_100_000, 'red', 1_200_000],
  ] as const)('used %d of 1,000,000 → %s, top-up %d', (used, level, topUp) => {
    const s = unwrap(advanceFundStatus(Y(1_000_000), Y(used), params));
    expect(s.level).toBe(level);
    expect(s.top_up).toBe(Y(topUp));
    expect(s.balance).toBe((1_000_000 - used) * 100);
  });

  test('sizing: two months of the average, half up', () => {
    expect(unwrap(sizeAdvanceFund([fen(100), fen(101), fen(101)], params))).toBe(201); // 302 × 2 / 3 = 201.33
    expect(sizeAdvanceFund([], params).ok).toBe(false);
  });

  test('levels must be ordered', () => {
    expect(parseAdvanceFundParams({ ...ADVANCE_FUND_PARAMS, yellow: '0.95' }).ok).toBe(false);
  });
});
