/**
 * The demo's 费用协查: 海南 (insured) checks the demo's settled stay of 符海燕 at 华西 (50,036.00 yuan,
 * above the 30,000 threshold), and its batch is frozen now, so 四川's coordinator finds the batch
 * waiting for the treatment side's per-item answer. Made through the API's own code (`requestFeeCheck`
 * as coord-hi, `freezeFeeCheckBatches` as staff-hi), so the batch is a real workflow.
 */
import type { Knex } from '@mikro-orm/knex';
import type { FeeCheckView } from '../cases';
import { User } from '../db/entities';
import { authUserOf } from './auth/tokens';
import type { CaseDeps } from './context';
import { freezeFeeCheckBatches, requestFeeCheck } from './coordination/fee-checks';
import { DEMO_STAY_PERSON, terminate } from './demo-stay';

type Deps = Pick<CaseDeps, 'orm' | 'temporal' | 'taskQueue' | 'log'>;

export const DEMO_FEE_CHECK_REASON = '住院费用超过协查起点，请就医地核查高值耗材和检查费用明细';

/** The demo person's stays, as a subquery: her checks are the demo's, nobody else's. */
const demoStays = (knex: Knex) => knex('stay').where({ psn_no: DEMO_STAY_PERSON.psn_no }).select('mdtrt_id');

async function asUser(deps: Deps, username: string) {
  return authUserOf(await deps.orm.em.fork().findOneOrFail(User, { username }));
}

/**
 * Requests the check on the demo stay's live settlement and freezes its batch, unless the stay has a
 * check already (then only a freeze left undone is finished). Returns the new check's id, or null.
 */
export async function seedDemoFeeCheck(deps: Deps): Promise<string | null> {
  const knex = deps.orm.em.getKnex();
  const s = await knex('settlement')
    .whereIn('mdtrt_id', demoStays(knex))
    .where({ kind: 'SETTLEMENT' })
    .whereNull('reversed_by')
    .orderBy('setl_time', 'desc')
    .first();
  if (!s) {
    deps.log('demo: no settled stay of the demo person, so no fee check');
    return null;
  }
  const existing = await knex('fee_check').where({ setl_id: s.setl_id }).first();
  let check: Pick<FeeCheckView, 'check_id' | 'batch_id' | 'status'> | null = existing ?? null;
  const created = !check;
  if (!check)
    check = await requestFeeCheck(deps, await asUser(deps, 'coord-hi'), {
      setl_id: s.setl_id,
      reason: DEMO_FEE_CHECK_REASON,
    });
  if (check.status === 'REQUESTED' && check.batch_id) {
    const batch = await knex('fee_check_batch').where({ batch_id: check.batch_id }).first();
    await freezeFeeCheckBatches(deps, await asUser(deps, 'staff-hi'), batch.month);
  }
  if (!created) return null;
  deps.log(`demo: fee check ${check.check_id} in batch ${check.batch_id}, frozen, awaiting 四川's answer`);
  return check.check_id;
}

/**
 * Removes the demo person's fee checks; a batch holding nothing else goes too, its workflow terminated
 * first and its tasks and timeline with it (a terminated batch may be started again, a completed one
 * never: see `startBatch`).
 */
export async function removeDemoFeeCheck(deps: Deps): Promise<void> {
  const knex = deps.orm.em.getKnex();
  const checks: { check_id: string; batch_id: string | null }[] = await knex('fee_check')
    .whereIn('mdtrt_id', demoStays(knex))
    .select('check_id', 'batch_id');
  if (checks.length === 0) return;
  const check_ids = checks.map((c) => c.check_id);
  const batch_ids: string[] = [];
  for (const batch_id of new Set(checks.map((c) => c.batch_id).filter((b): b is string => !!b))) {
    const other = await knex('fee_check').where({ batch_id }).whereNotIn('check_id', check_ids).first();
    if (other) continue;
    await terminate(deps, batch_id);
    batch_ids.push(batch_id);
  }
  await knex.transaction(async (tx) => {
    await tx('task_decision').whereIn('case_id', batch_ids).delete();
    await tx('human_task').whereIn('case_id', batch_ids).delete();
    await tx('case_event').whereIn('case_id', batch_ids).delete();
    await tx('fee_check_item').whereIn('check_id', check_ids).delete();
    await tx('fee_check').whereIn('check_id', check_ids).delete();
    await tx('fee_check_batch').whereIn('batch_id', batch_ids).delete();
  });
  deps.log(`demo: fee checks ${check_ids.join(', ')} removed`);
}
