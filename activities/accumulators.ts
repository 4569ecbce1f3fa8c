import type { Knex } from '@mikro-orm/knex';
import { ACCUMULATOR_FIELDS, type Accumulators, ZERO_ACCUMULATORS } from '../settlement';

/**
 * A person's year-to-date accumulators (deductible, fund paid against the caps, personal account):
 * read, locked and moved by settlements, reversals, 待遇补差 and 手工报销 — one module, so the ledger
 * and the settlement activities both use it without importing each other.
 */
export function accumulatorsOf(row: Record<string, unknown> | undefined): Accumulators {
  if (!row) return ZERO_ACCUMULATORS;
  return Object.fromEntries(ACCUMULATOR_FIELDS.map((k) => [k, Number(row[k])])) as unknown as Accumulators;
}

/**
 * Locks the person's accumulator row of the year for this transaction (creating it first, carrying
 * the personal-account balance over from the latest earlier year), so settlements of two stays of one
 * person are applied one after the other.
 */
export async function lockAccumulators(
  trx: Knex.Transaction,
  psn_no: string,
  insuplc_admdvs: string,
  year: number,
): Promise<Accumulators> {
  const key = { psn_no, insuplc_admdvs, year };
  const row = await trx('accumulator').where(key).forUpdate().first();
  if (row) return accumulatorsOf(row);
  // The year's first settlement creates the row in one statement (the balance carried over in a
  // subquery); the row it inserted is locked by this transaction. Another transaction that created
  // it first leaves nothing returned: then it is read and locked like an existing one.
  const [created] = await trx('accumulator')
    .insert({
      ...key,
      ...ZERO_ACCUMULATORS,
      acct_balc: trx.raw(
        'coalesce((select e.acct_balc from accumulator e where e.psn_no = ? and e.insuplc_admdvs = ? and e.year < ? order by e.year desc limit 1), 0)',
        [psn_no, insuplc_admdvs, year],
      ),
      version: 0,
      updated_at: new Date(),
    })
    .onConflict(['psn_no', 'insuplc_admdvs', 'year'])
    .ignore()
    .returning('*');
  return accumulatorsOf(created ?? (await trx('accumulator').where(key).forUpdate().first()));
}

export function accumulatorsUpdate(
  trx: Knex.Transaction,
  psn_no: string,
  insuplc_admdvs: string,
  year: number,
  acc: Accumulators,
) {
  return trx('accumulator')
    .where({ psn_no, insuplc_admdvs, year })
    .update({ ...acc, version: trx.raw('version + 1'), updated_at: new Date() });
}
