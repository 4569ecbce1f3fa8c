import type { Knex } from '@mikro-orm/knex';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Fen } from '../settlement';
import { type ClearingHold, cstMonthRange } from '../settlement/clearing-statement';

/**
 * Fee checks' effect on a pair's month: held back for checks not yet confirmed (Σ their lines), recovered
 * by confirmed 核查有误 (the amounts the insured side confirmed), for the pair's settlements of the month.
 * The seam between 清算 and 费用协查: nothing else of clearing reads fee-check tables.
 */
export async function clearingHolds(
  em: EntityManager,
  clr_month: string,
  insured_prov: string,
  treatment_prov: string,
): Promise<ClearingHold[]> {
  const knex = em.getTransactionContext<Knex.Transaction>() ?? em.getKnex();
  const { from, to } = cstMonthRange(clr_month);
  const rows = await knex('fee_check as c')
    .join('settlement as s', 's.setl_id', 'c.setl_id')
    .join('fee_check_item as i', 'i.check_id', 'c.check_id')
    .where({ 'c.insured_prov': insured_prov, 'c.treatment_prov': treatment_prov })
    .andWhere('s.setl_time', '>=', from)
    .andWhere('s.setl_time', '<', to)
    .groupBy('c.setl_id', 'c.status', 'c.recovered')
    .orderBy('c.setl_id')
    .select('c.setl_id', 'c.status', 'c.recovered', knex.raw('sum(i.det_item_fee_sumamt)::bigint as lines'));
  return rows.map((r) => ({
    setl_id: r.setl_id as string,
    held_back: (r.status === 'CONFIRMED' ? 0 : Number(r.lines)) as Fen,
    recovered: (r.status === 'CONFIRMED' ? Number(r.recovered) : 0) as Fen,
  }));
}
