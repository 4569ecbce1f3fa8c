import fc from 'fast-check';
import type { Fen } from '../../settlement';
import {
  type ClearingHold,
  clearingStatements,
  cstMonth,
  cstMonthRange,
  type HoldCheck,
  holdEffect,
  previousCstMonth,
  type StatementItem,
} from '../../settlement/clearing-statement';

const ADMVS = ['340100', '340200', '460000', '510100', '310000'];
const INSUTYPES = ['310', '320', '390'];

const item: fc.Arbitrary<StatementItem> = fc
  .record({
    setl_id: fc.stringMatching(/^[0-9]{6}$/),
    kind: fc.constantFrom('settle' as const, 'reverse' as const),
    insuplc_admdvs: fc.constantFrom(...ADMVS),
    mdtrtarea_admvs: fc.constantFrom(...ADMVS),
    insutype: fc.constantFrom(...INSUTYPES),
    other_fund: fc.nat(5_000_000),
    maf_pay: fc.oneof(fc.constant(0), fc.nat(800_000)),
    acct_pay: fc.oneof(fc.constant(0), fc.nat(300_000)),
    cash: fc.nat(2_000_000),
  })
  .map((r) => ({
    setl_id: r.setl_id,
    kind: r.kind,
    insuplc_admdvs: r.insuplc_admdvs,
    mdtrtarea_admvs: r.mdtrtarea_admvs,
    insutype: r.insutype,
    fund_pay_sumamt: (r.other_fund + r.maf_pay) as Fen,
    maf_pay: r.maf_pay as Fen,
    acct_pay: r.acct_pay as Fen,
    medfee_sumamt: (r.other_fund + r.maf_pay + r.acct_pay + r.cash) as Fen,
  }));

const prov = (a: string) => `${a.slice(0, 2)}0000`;
const cross = (it: StatementItem) => prov(it.insuplc_admdvs) !== prov(it.mdtrtarea_admvs);
const sign = (it: StatementItem) => (it.kind === 'settle' ? 1 : -1);

test('Σ lines = Σ settlements’ fund + acct + maf − reversals’, to the fen, per pair and in all', () => {
  fc.assert(
    fc.property(fc.array(item, { maxLength: 60 }), (items) => {
      const statements = clearingStatements(items);
      const lines = statements.flatMap((s) => s.lines);
      const expected = items
        .filter(cross)
        .reduce((s, it) => s + sign(it) * (it.fund_pay_sumamt + it.acct_pay), 0);
      expect(lines.reduce((s, l) => s + l.amount, 0)).toBe(expected);
      for (const s of statements) {
        expect(s.owed).toBe(s.lines.reduce((a, l) => a + l.amount, 0));
        const mine = items.filter(
          (it) => prov(it.insuplc_admdvs) === s.insured_prov && prov(it.mdtrtarea_admvs) === s.treatment_prov,
        );
        // 医疗救助 on its own lines, per insurance type.
        for (const t of INSUTYPES) {
          const maf = mine.filter((it) => it.insutype === t).reduce((a, it) => a + sign(it) * it.maf_pay, 0);
          const line = s.lines.find((l) => l.insutype === t && l.fund === 'maf');
          expect(line?.amount ?? 0).toBe(maf);
          const acct = mine
            .filter((it) => it.insutype === t)
            .reduce((a, it) => a + sign(it) * it.acct_pay, 0);
          expect(s.lines.find((l) => l.insutype === t && l.fund === 'acct')?.amount ?? 0).toBe(acct);
        }
        expect(s.settlements + s.reversals).toBe(mine.length);
        for (const l of s.lines) expect(Number.isInteger(l.amount)).toBe(true);
      }
    }),
  );
});

test('netting is antisymmetric: A→B’s net is minus B→A’s; holds reduce what is due', () => {
  const hold: fc.Arbitrary<ClearingHold> = fc.record({
    setl_id: fc.stringMatching(/^[0-9]{6}$/),
    held_back: fc.nat(100_000).map((n) => n as Fen),
    recovered: fc.nat(50_000).map((n) => n as Fen),
  });
  fc.assert(
    fc.property(
      fc.array(item, { maxLength: 60 }),
      fc.dictionary(
        fc.constantFrom('340000-460000', '460000-340000', '460000-510000', '340000-310000'),
        fc.array(hold, { maxLength: 3 }),
      ),
      (items, holds) => {
        const statements = clearingStatements(items, holds);
        const byId = new Map(statements.map((s) => [s.pair_id, s]));
        for (const s of statements) {
          expect(s.due).toBe(s.owed - s.held_back + s.released - s.recovered);
          const back = byId.get(`${s.treatment_prov}-${s.insured_prov}`);
          if (back) expect(s.net_transfer).toBe(-back.net_transfer);
          else expect(s.net_transfer).toBe(s.due);
          const h = holds[s.pair_id] ?? [];
          expect(s.held_back).toBe(h.reduce((a, x) => a + x.held_back, 0));
        }
      },
    ),
  );
});

test('a fee check’s hold and recovery go into one clearing month each, whenever it is confirmed; re-clears find their own', () => {
  // Time in half-steps: month k is generated at 2k, may be re-cleared at 2k+1 (any month j ≤ k).
  const MONTHS = 4;
  const check = fc
    .record({
      settled: fc.integer({ min: 1, max: MONTHS }),
      requested: fc.nat(2 * MONTHS + 1),
      confirmAfter: fc.option(fc.nat(2 * MONTHS + 1), { nil: null }),
      lines: fc.integer({ min: 1, max: 900_000 }),
      share: fc.nat(100),
    })
    .map((c) => ({
      ...c,
      requested: Math.max(c.requested, 2 * c.settled - 2),
      recovered: Math.floor((c.lines * c.share) / 100),
    }));
  fc.assert(
    fc.property(
      fc.array(check, { minLength: 1, maxLength: 8 }),
      fc.array(fc.option(fc.nat(MONTHS - 1), { nil: null }), { minLength: MONTHS, maxLength: MONTHS }),
      (checks, reclears) => {
        const month = (k: number) => `2026-0${k}`;
        const marks = checks.map(() => ({
          held_in: null as string | null,
          recovered_in: null as string | null,
        }));
        // The last computation of each month (a re-clear replaces the month's statement).
        const effect = new Map<string, Map<number, number>>();
        const compute = (k: number, t: number) => {
          const m = new Map<number, number>();
          checks.forEach((c, i) => {
            if (c.settled > k || c.requested > t) return;
            const confirmAt = c.confirmAfter === null ? null : Math.max(c.confirmAfter, c.requested);
            const view: HoldCheck = {
              setl_id: String(i),
              confirmed: confirmAt !== null && confirmAt <= t,
              lines: c.lines as Fen,
              recovered: c.recovered as Fen,
              ...(marks[i] as { held_in: string | null; recovered_in: string | null }),
            };
            const e = holdEffect(view, month(k));
            marks[i] = { held_in: e.held_in, recovered_in: e.recovered_in };
            if (e.hold) m.set(i, -e.hold.held_back + (e.hold.released ?? 0) - e.hold.recovered);
          });
          effect.set(month(k), m);
        };
        for (let k = 1; k <= MONTHS; k++) {
          compute(k, 2 * k);
          const j = reclears[k - 1];
          if (j !== null && j !== undefined && j + 1 <= k) compute(j + 1, 2 * k + 1);
        }
        checks.forEach((c, i) => {
          const total = [...effect.values()].reduce((a, m) => a + (m.get(i) ?? 0), 0);
          const { held_in, recovered_in } = marks[i] as {
            held_in: string | null;
            recovered_in: string | null;
          };
          const confirmAt = c.confirmAfter === null ? null : Math.max(c.confirmAfter, c.requested);
          // Confirmed before the last month was generated: its recovery is in a month.
          if (confirmAt !== null && confirmAt <= 2 * MONTHS) expect(recovered_in).not.toBeNull();
          // Applied once: the insured side keeps the recovery once confirmed, the lines while open.
          if (recovered_in !== null) expect(total).toBe(0 - c.recovered);
          else if (held_in !== null) expect(total).toBe(0 - c.lines);
          else expect(total).toBe(0);
        });
      },
    ),
  );
});

test('a reversal in the month counts against it; same-province items are left out', () => {
  const base = {
    insuplc_admdvs: '460000',
    mdtrtarea_admvs: '510100',
    insutype: '390',
    medfee_sumamt: 4_900_000 as Fen,
    fund_pay_sumamt: 1_900_000 as Fen,
    acct_pay: 0 as Fen,
    maf_pay: 100_000 as Fen,
  };
  const [s] = clearingStatements([
    { ...base, setl_id: 'A', kind: 'settle' },
    { ...base, setl_id: 'B', kind: 'settle', insutype: '310', acct_pay: 20_000 as Fen, maf_pay: 0 as Fen },
    { ...base, setl_id: 'A-R', kind: 'reverse' },
    { ...base, setl_id: 'L', kind: 'settle', mdtrtarea_admvs: '460000' },
  ]);
  expect(s?.pair_id).toBe('460000-510000');
  expect(s?.lines).toEqual([
    {
      insutype: '310',
      fund: 'fund',
      settlements: 1,
      reversals: 0,
      medfee_sumamt: 4_900_000,
      amount: 1_900_000,
    },
    { insutype: '310', fund: 'acct', settlements: 1, reversals: 0, medfee_sumamt: 4_900_000, amount: 20_000 },
    { insutype: '390', fund: 'fund', settlements: 1, reversals: 1, medfee_sumamt: 0, amount: 0 },
    { insutype: '390', fund: 'maf', settlements: 1, reversals: 1, medfee_sumamt: 0, amount: 0 },
  ]);
  expect(s?.owed).toBe(1_920_000);
});

test('months at Asia/Shanghai: the 1st at 02:00 CST clears the month before', () => {
  const t = Date.parse('2026-12-01T02:00:00+08:00');
  expect(cstMonth(t)).toBe('2026-12');
  expect(previousCstMonth(t)).toBe('2026-11');
  expect(previousCstMonth(Date.parse('2027-01-01T02:00:00+08:00'))).toBe('2026-12');
  expect(cstMonth(Date.parse('2026-11-30T16:30:00Z'))).toBe('2026-12');
  const r = cstMonthRange('2026-12');
  expect(r.from.toISOString()).toBe('2026-11-30T16:00:00.000Z');
  expect(r.to.toISOString()).toBe('2026-12-31T16:00:00.000Z');
});
