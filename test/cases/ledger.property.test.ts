import fc from 'fast-check';
import { createActivities } from '../../activities';
import type { StayForSettlement } from '../../activities/settlement';
import { cstDate, type FeeDetailIn } from '../../cases';
import type { Orm } from '../../db/orm';
import { seedReferenceData } from '../../db/seed';
import { type Fen, validatePolicy, ZERO_ACCUMULATORS } from '../../settlement';
import { migratedOrm } from '../support/db';

/**
 * The ledger balances to the fen after any sequence of settlements, retried settlements, reversals,
 * retried reversals and 待遇补差 paid (and paid again) on a person's stays, and the accumulators equal
 * what the live settlements and the gaps paid on them added: a reversal takes a paid gap back with it.
 * On the real activities and PostgreSQL (the workflow only chooses the keys; the money is here).
 */
let orm: Orm;
let close: () => Promise<void>;
let acts: ReturnType<typeof createActivities>;

beforeAll(async () => {
  const db = await migratedOrm();
  orm = db.orm;
  close = db.close;
  await seedReferenceData(orm.em.fork());
  acts = createActivities({ orm });
}, 120_000);
afterAll(async () => {
  await close?.();
});

const CODES = ['BED001', 'SUR001', 'DRG001', 'DRG002', 'MAT001', 'XXX999'];
const lineArb = fc.record({
  code: fc.constantFrom(...CODES),
  cnt: fc.integer({ min: 1, max: 30 }),
  pric_fen: fc.integer({ min: 1, max: 2_000_000 }),
});
type Op = { kind: 'settle' | 'reverse' | 'retry' | 'compensate'; stay: number };
const opArb: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom('settle', 'reverse', 'retry', 'compensate'),
  stay: fc.integer({ min: 0, max: 1 }),
});

let run = 0;
/** Settlements that drew on a personal account: the property must have exercised that entry. */
let drawn = 0;
/** Paid gaps taken back by a reversal: the property must have exercised that too. */
let recovered = 0;
/** Gaps paid short because another stay used the annual cap first: exercised too. */
let capped = 0;
test('the ledger balances and the accumulators match the live settlements after any sequence', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.array(lineArb, { minLength: 1, maxLength: 6 }), { minLength: 2, maxLength: 2 }),
      fc.array(opArb, { minLength: 1, maxLength: 10 }),
      fc.integer({ min: 0, max: 500_000 }),
      fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }),
      async (stayLines, ops, acct_balc, acctUsed) => {
        run += 1;
        const psn_no = `P3401009${String(run).padStart(7, '0')}`;
        const knex = orm.em.fork().getKnex();
        await knex('insured_person').insert({
          psn_no,
          psn_name: '性质',
          certno: `3401021990${String(run).padStart(8, '0')}`,
          gend: '2',
          brdy: '1990-01-01',
          insutype: '310',
          psn_type: 'in_service',
          insuplc_admdvs: '340100',
          insu_status: 'active',
        });
        const now = new Date().toISOString();
        const year = Number(cstDate(Date.now()).slice(0, 4));
        // A personal-account balance the stays may draw on (acct_used_flag), or not.
        await knex('accumulator').insert({
          psn_no,
          insuplc_admdvs: '340100',
          year,
          dedc_paid_ytd: 0,
          hifp_paid_ytd: 0,
          si_base_ytd: 0,
          si_paid_ytd: 0,
          cvlserv_paid_ytd: 0,
          oth_paid_ytd: 0,
          maf_paid_ytd: 0,
          acct_balc,
          version: 0,
          updated_at: new Date(),
        });
        const stays: StayForSettlement[] = [];
        for (const [i, lines] of stayLines.entries()) {
          const mdtrt_id = `PROP${run}-${i}`;
          const feedetail: FeeDetailIn[] = lines.map((l, n) => ({
            feedetl_sn: String(n + 1),
            rx_drord_no: null,
            med_list_codg: l.code,
            medins_list_codg: l.code,
            medins_list_name: null,
            fee_ocur_time: now,
            cnt_e4: l.cnt * 10_000,
            pric_e4: l.pric_fen * 100,
            det_item_fee_sumamt: l.cnt * l.pric_fen,
            bilg_dept_codg: null,
            bilg_dr_codg: null,
          }));
          const stored = await acts.storeFeeLines({
            mdtrt_id,
            mdtrtarea_admvs: '510100',
            begntime: now,
            lines: feedetail,
          });
          expect('refused' in stored).toBe(false);
          // The stay's row, as its workflow projects it (a 待遇补差 payment recomputes from it and its lines).
          await knex('stay').insert({
            mdtrt_id,
            psn_no,
            psn_name: '性质',
            insuplc_admdvs: '340100',
            prov_admdvs: '340000',
            mdtrtarea_admvs: '510100',
            fixmedins_code: 'H51010000001',
            fixmedins_name: '四川大学华西医院',
            ipt_no: `ZY${mdtrt_id}`,
            insutype: '310',
            med_type: '21',
            // A minute apart from the settlements' own times, so the two stays never overlap (重复结算).
            begntime: new Date(Date.parse(now) - (i + 1) * 60_000),
            endtime: new Date(Date.parse(now) - (i + 1) * 60_000),
            status: 'DISCHARGED',
            coverage: JSON.stringify({ kind: 'emergency', filing_id: null }),
            diagnoses: JSON.stringify([]),
            medfee_sumamt: 0,
            fee_count: lines.length,
            created_at: now,
            updated_at: now,
            projection_seq: 1,
          });
          stays.push({
            mdtrt_id,
            psn_no,
            insuplc_admdvs: '340100',
            mdtrtarea_admvs: '510100',
            fixmedins_code: 'H51010000001',
            insutype: '310',
            med_type: '21',
            begntime: now,
            endtime: now,
            coverage: { kind: 'emergency', filing_id: null },
            acct_used: acctUsed[i]!,
          });
        }
        // Per stay: the live settlement (if any) and the last request, so `retry` repeats it.
        const live: (string | null)[] = [null, null];
        const last: ({ op: 'settle' | 'reverse'; key: string; setl_id: string; original?: string } | null)[] =
          [null, null];
        let round = 0;
        const hifpCapOf = async (setl_id: string) => {
          const st = await knex('settlement').where({ setl_id }).first();
          const pv = await knex('policy_version')
            .where({ policy_id: st.policy_id, version: st.policy_version })
            .first();
          const policy = validatePolicy(pv.params);
          if (!policy.ok) throw new Error(`stored policy ${st.policy_id} invalid`);
          return policy.value.fund.annual_cap;
        };
        // The gap approved on each settlement, and what was paid of it (待遇补差, its effect: the pooled fund
        // paid that much more) — at most what the fund's annual cap left when it was paid.
        const gaps = new Map<string, number>();
        const paidOf = new Map<string, number>();
        for (const op of ops) {
          const s = stays[op.stay]!;
          if (op.kind === 'compensate') {
            const setl_id = live[op.stay];
            if (!setl_id) continue;
            const gap = gaps.get(setl_id) ?? 10_000 + ((round * 7919) % 500_000);
            const at = new Date().toISOString();
            const accBefore = await knex('accumulator').where({ psn_no, year }).first();
            // Paid twice when drawn twice: the second finds the pair and moves nothing.
            const payment = await acts.payCompensation({
              compensation: {
                compensation_id: `compensation-${setl_id}`,
                setl_id,
                mdtrt_id: s.mdtrt_id,
                psn_no,
                insuplc_admdvs: '340100',
                prov_admdvs: '340000',
                origin: 'detected',
                applied_by: null,
                status: 'PAID',
                direct_fund_pay: null,
                recomputed_fund_pay: null,
                gap,
                steps: [],
                items: [],
                catalogue_admvs: null,
                policy_id: null,
                policy_version: null,
                task_id: null,
                decision: { decision: 'approve', reason: null, decided_at: at },
                paid_at: at,
                updated_at: at,
                projection_seq: 1,
              },
              events: [],
              insutype: '310',
              acc_year: year,
              accumulator_effect: { ...ZERO_ACCUMULATORS, hifp_paid_ytd: gap as Fen },
            });
            const accAfter = await knex('accumulator').where({ psn_no, year }).first();
            const paid = payment.paid as number;
            if (paidOf.has(setl_id)) {
              // The retry answers the first payment and moves nothing.
              expect(paid).toBe(paidOf.get(setl_id));
              expect(accAfter).toEqual(accBefore);
            } else {
              // Never more than approved, never past the fund's annual cap; the capped funds moved by
              // exactly what was paid (the ledger pair).
              expect(paid).toBeGreaterThanOrEqual(0);
              expect(paid).toBeLessThanOrEqual(gap);
              expect(Number(accAfter.hifp_paid_ytd)).toBeLessThanOrEqual(await hifpCapOf(setl_id));
              const funds = [
                'hifp_paid_ytd',
                'si_paid_ytd',
                'cvlserv_paid_ytd',
                'oth_paid_ytd',
                'maf_paid_ytd',
              ];
              expect(funds.reduce((t, k) => t + Number(accAfter[k]) - Number(accBefore[k]), 0)).toBe(paid);
              if (paid < gap) capped += 1;
            }
            gaps.set(setl_id, gap);
            paidOf.set(setl_id, payment.paid as number);
            continue;
          }
          let req = last[op.stay];
          if (op.kind === 'settle' && live[op.stay] === null) {
            round += 1;
            const setl_id = `${s.mdtrt_id}S${round}`;
            req = { op: 'settle', key: `settlement-${setl_id}`, setl_id };
          } else if (op.kind === 'reverse' && live[op.stay] !== null) {
            round += 1;
            const setl_id = `${s.mdtrt_id}R${round}`;
            req = { op: 'reverse', key: `settlement-${setl_id}`, setl_id, original: live[op.stay]! };
          } else if (op.kind !== 'retry') continue;
          if (!req) continue;
          if (req.op === 'settle') {
            const r = await acts.recordSettlement({
              request_key: req.key,
              setl_id: req.setl_id,
              stay: s,
              setl_time: now,
            });
            expect('refused' in r).toBe(false);
            // A retry of a settlement already reversed answers the stored one and changes nothing.
            if (op.kind !== 'retry') live[op.stay] = req.setl_id;
          } else {
            const r = await acts.recordReversal({
              request_key: req.key,
              setl_id: req.setl_id,
              original_setl_id: req.original!,
              setl_time: now,
            });
            expect('refused' in r).toBe(false);
            live[op.stay] = null;
          }
          last[op.stay] = req;
        }

        const perSettlement = await knex('ledger_entry')
          .join('settlement', 'settlement.setl_id', 'ledger_entry.setl_id')
          .where('settlement.psn_no', psn_no)
          .groupBy('ledger_entry.setl_id')
          .select('ledger_entry.setl_id', knex.raw('sum(debit - credit)::bigint as net'));
        for (const row of perSettlement) expect([row.setl_id, Number(row.net)]).toEqual([row.setl_id, 0]);
        // Each 待遇补差 pair and its recovery balance; a reversed settlement's gap nets to zero per account.
        const gapRows = await knex('ledger_entry')
          .whereIn(
            'mdtrt_id',
            stays.map((s) => s.mdtrt_id),
          )
          .where((q) => q.where('setl_id', 'like', 'BC%').orWhere('setl_id', 'like', 'BR%'));
        const net = (rows: { debit: string; credit: string }[]) =>
          rows.reduce((a, r) => a + Number(r.debit) - Number(r.credit), 0);
        for (const key of new Set(gapRows.map((r) => r.setl_id as string)))
          expect([key, net(gapRows.filter((r) => r.setl_id === key))]).toEqual([key, 0]);
        recovered += new Set(gapRows.filter((r) => r.setl_id.startsWith('BR')).map((r) => r.setl_id)).size;
        const livePaid = [...paidOf].filter(([id]) => live.includes(id));
        const owed = gapRows.filter((r) => r.account === 'personal_cash');
        const livePaidSum = livePaid.reduce((a, [, g]) => a + g, 0);
        expect(net(owed)).toBe(livePaidSum);
        const settlements = await knex('settlement').where({ psn_no });
        const liveRows = settlements.filter((r) => r.kind === 'SETTLEMENT' && r.reversed_by === null);
        expect(liveRows.map((r) => r.setl_id).sort()).toEqual(live.filter((x) => x !== null).sort());
        // The treatment place is owed exactly the live settlements' totals, to the fen.
        const receivable = await knex('ledger_entry')
          .whereIn(
            'mdtrt_id',
            stays.map((s) => s.mdtrt_id),
          )
          .where({ account: 'treatment_place_receivable' })
          .sum({ s: knex.raw('debit - credit') })
          .first();
        const sum = (k: string) => liveRows.reduce((a, r) => a + Number(r[k]), 0);
        expect(Number(receivable?.s ?? 0)).toBe(sum('medfee_sumamt'));
        const acc = await knex('accumulator').where({ psn_no, year }).first();
        // Each year-to-date figure: what the live settlements added, and what the payments of their gaps
        // moved (stored with each payment).
        const comps = await knex('compensation').whereIn(
          'setl_id',
          live.filter((x) => x !== null) as string[],
        );
        for (const k of ['dedc_paid_ytd', 'hifp_paid_ytd', 'si_base_ytd', 'si_paid_ytd', 'maf_paid_ytd']) {
          const settled = liveRows.reduce(
            (a, r) => a + Number(r.accumulators_after[k]) - Number(r.accumulators_before[k]),
            0,
          );
          const gapsMoved = comps
            .filter((c) => Number(c.paid_amount) > 0)
            .reduce((a, c) => a + Number(c.accumulator_effect[k]), 0);
          expect([k, Number(acc[k])]).toEqual([k, settled + gapsMoved]);
        }
        if (liveRows[0])
          expect(Number(acc.hifp_paid_ytd)).toBeLessThanOrEqual(await hifpCapOf(liveRows[0].setl_id));
        expect(Number(acc.acct_balc)).toBe(acct_balc - sum('acct_pay'));
        // A stay without the person's consent never draws on the account.
        for (const [i, s] of stays.entries()) {
          if (!acctUsed[i]) {
            expect(liveRows.filter((r) => r.mdtrt_id === s.mdtrt_id && Number(r.acct_pay) !== 0)).toEqual([]);
          }
        }
        const accountLedger = await knex('ledger_entry')
          .whereIn(
            'mdtrt_id',
            stays.map((s) => s.mdtrt_id),
          )
          .where({ account: 'personal_account' })
          .sum({ s: knex.raw('credit - debit') })
          .first();
        expect(Number(accountLedger?.s ?? 0)).toBe(sum('acct_pay'));
        drawn += settlements.filter((r) => Number(r.acct_pay) > 0).length;
      },
    ),
    { numRuns: 25, seed: 20261202 },
  );
  expect(drawn).toBeGreaterThan(0);
  expect(recovered).toBeGreaterThan(0);
  expect(capped).toBeGreaterThan(0);
}, 300_000);
