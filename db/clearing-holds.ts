import type { Knex } from '@mikro-orm/knex';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Fen } from '../settlement';
import { type ClearingHold, cstMonthRange, holdEffect, pairIdOf } from '../settlement/clearing-statement';

/** A pair's fee-check effects on a month, and where each check's hold and recovery go by them. */
export interface PairHolds {
  holds: ClearingHold[];
  marks: { check_id: string; held_in: string | null; recovered_in: string | null }[];
}

/**
 * Fee checks' effect on the clearing of `clr_month`, per pair: held back for checks not yet confirmed
 * (Σ their lines), recovered by confirmed 核查有误 (the amounts the insured side confirmed), a hold of
 * an earlier month released with its recovery. Checks on settlements of this month or an earlier one
 * whose hold or recovery is in no clearing yet, or in this month's (a re-clear finds its own again),
 * so a check confirmed after its settlement's month was cleared reaches the next month cleared
 * (`holdEffect`). Rows are locked: a clearing and a confirmation do not cross. The seam between
 * 清算 and 费用协查: nothing else of clearing reads fee-check tables.
 */
export async function clearingHolds(
  em: EntityManager,
  clr_month: string,
  pair_ids?: readonly string[],
): Promise<Record<string, PairHolds>> {
  const knex = em.getTransactionContext<Knex.Transaction>() ?? em.getKnex();
  const { to } = cstMonthRange(clr_month);
  const checks = await knex('fee_check as c')
    .join('settlement as s', 's.setl_id', 'c.setl_id')
    .andWhere('s.setl_time', '<', to)
    .andWhere((w) =>
      w
        .where('c.held_in', clr_month)
        .orWhere('c.recovered_in', clr_month)
        .orWhere((n) => n.whereNull('c.held_in').whereNull('c.recovered_in'))
        .orWhere((n) => n.where('c.status', 'CONFIRMED').whereNull('c.recovered_in')),
    )
    // Only the pairs asked for are locked (a re-clear of one pair does not hold up the others).
    .modify((q) => {
      if (pair_ids) q.whereRaw(`c.insured_prov || '-' || c.treatment_prov = any(?)`, [[...pair_ids]]);
    })
    .orderBy('c.check_id')
    .forUpdate('c')
    .select(
      'c.check_id',
      'c.setl_id',
      'c.insured_prov',
      'c.treatment_prov',
      'c.status',
      'c.recovered',
      'c.held_in',
      'c.recovered_in',
    );
  const lines = new Map<string, number>();
  if (checks.length > 0) {
    const sums = await knex('fee_check_item')
      .whereIn(
        'check_id',
        checks.map((c: { check_id: string }) => c.check_id),
      )
      .groupBy('check_id')
      .select('check_id', knex.raw('sum(det_item_fee_sumamt)::bigint as lines'));
    for (const r of sums) lines.set(r.check_id, Number(r.lines));
  }
  const out: Record<string, PairHolds> = {};
  for (const c of checks) {
    const pair_id = pairIdOf(c.insured_prov, c.treatment_prov);
    const e = holdEffect(
      {
        setl_id: c.setl_id,
        confirmed: c.status === 'CONFIRMED',
        lines: (lines.get(c.check_id) ?? 0) as Fen,
        recovered: Number(c.recovered) as Fen,
        held_in: c.held_in,
        recovered_in: c.recovered_in,
      },
      clr_month,
    );
    out[pair_id] ??= { holds: [], marks: [] };
    const p = out[pair_id];
    if (e.hold) p.holds.push(e.hold);
    if (e.held_in !== c.held_in || e.recovered_in !== c.recovered_in)
      p.marks.push({ check_id: c.check_id, held_in: e.held_in, recovered_in: e.recovered_in });
  }
  return out;
}

/** The months the holds of a written statement went into (in the statement's transaction). */
export async function markClearingHolds(trx: Knex.Transaction, marks: PairHolds['marks']): Promise<void> {
  for (const m of marks)
    await trx('fee_check')
      .where({ check_id: m.check_id })
      .update({ held_in: m.held_in, recovered_in: m.recovered_in });
}
