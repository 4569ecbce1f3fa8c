import type { Knex } from '@mikro-orm/knex';
import { type FeeCheckBatchStatus, feeCheckBatchId, nextMonth } from '../cases';

/**
 * The batch row of a pair's month, created OPEN if missing, locked for the transaction: a request and
 * the freeze of the same batch go one after the other, so no request lands in a batch already frozen.
 */
export async function lockedBatch(
  trx: Knex.Transaction,
  b: { insured_prov: string; treatment_prov: string; month: string },
): Promise<{ batch_id: string; status: FeeCheckBatchStatus; month: string }> {
  const batch_id = feeCheckBatchId(b.insured_prov, b.treatment_prov, b.month);
  const now = new Date();
  await trx('fee_check_batch')
    .insert({ batch_id, ...b, status: 'OPEN', created_at: now, updated_at: now })
    .onConflict('batch_id')
    .ignore();
  const row = await trx('fee_check_batch').where({ batch_id }).forUpdate().first();
  return { batch_id, status: row.status, month: b.month };
}

/** The first batch of the pair from `month` on that still takes requests (locked). */
export async function openBatchFrom(
  trx: Knex.Transaction,
  b: { insured_prov: string; treatment_prov: string; month: string },
): Promise<{ batch_id: string; month: string }> {
  let month = b.month;
  for (;;) {
    const batch = await lockedBatch(trx, { ...b, month });
    if (batch.status === 'OPEN') return batch;
    month = nextMonth(month);
  }
}

/**
 * A step of a fee check on the citizen's timeline of the stay (`case_event` of its mdtrt_id), once:
 * the id is the check's and the step's, so a retried write keeps the first.
 */
export async function recordFeeCheckEvent(
  trx: Knex.Transaction,
  e: {
    check_id: string;
    mdtrt_id: string;
    step: 'requested' | 'answered' | 'confirmed';
    by: string;
    at: string;
    text: string;
    detail?: Record<string, unknown>;
  },
): Promise<void> {
  await trx('case_event')
    .insert({
      id: `${e.check_id}-${e.step}`,
      case_id: e.mdtrt_id,
      at: new Date(e.at),
      actor: e.by,
      kind: `fee_check_${e.step}`,
      detail: JSON.stringify({ check_id: e.check_id, ...e.detail, text: e.text }),
    })
    .onConflict('id')
    .ignore();
}
