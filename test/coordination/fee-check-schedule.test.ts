import { ensureSchedules } from '../../bin/schedules';
import { FEE_CHECK_SCHEDULE_ID, feeCheckBatchId } from '../../cases';
import { eventually } from '../support/eventually';
import { startTestPlatform, type TestPlatform } from '../support/platform';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform();
}, 180_000);
afterAll(async () => {
  await platform?.close();
}, 60_000);

test('fee-check-monthly is created once, and its sweep freezes a due batch whose workflow never ran', async () => {
  const { client, taskQueue } = platform.worker;
  await ensureSchedules(client, taskQueue, () => undefined);
  await ensureSchedules(client, taskQueue, () => undefined); // a second start leaves it
  const described = await client.schedule.getHandle(FEE_CHECK_SCHEDULE_ID).describe();
  expect(described.spec.calendars?.[0]).toMatchObject({ dayOfMonth: [{ start: 25, end: 25, step: 1 }] });

  // A request recorded while Temporal was down: its batch row and check, but no workflow.
  const batch_id = feeCheckBatchId('460000', '510000', '2026-01');
  const knex = platform.orm.em.fork().getKnex();
  const now = new Date();
  await knex('fee_check_batch').insert({
    batch_id,
    insured_prov: '460000',
    treatment_prov: '510000',
    month: '2026-01',
    status: 'OPEN',
    created_at: now,
    updated_at: now,
  });
  await knex('fee_check').insert({
    check_id: 'FCS-sweep-1',
    setl_id: 'S-sweep-1',
    mdtrt_id: 'M-sweep-1',
    insured_prov: '460000',
    treatment_prov: '510000',
    insuplc_admdvs: '460000',
    mdtrtarea_admvs: '510100',
    fixmedins_code: 'H51010000001',
    fixmedins_name: '四川大学华西医院',
    insutype: '390',
    medfee_sumamt: 3_500_000,
    reason: '核查',
    status: 'REQUESTED',
    batch_id,
    rolled_over: false,
    requested_by: 'coord-hi',
    requested_at: now,
    recovered: 0,
    updated_at: now,
  });
  await knex('fee_check_item').insert({
    check_id: 'FCS-sweep-1',
    feedetl_sn: '0001',
    med_list_codg: '001107000010000',
    det_item_fee_sumamt: 3_500_000,
  });
  await client.schedule.getHandle(FEE_CHECK_SCHEDULE_ID).trigger();
  const frozen = await eventually(async () => {
    const b = await knex('fee_check_batch').where({ batch_id }).first();
    return b.status === 'FROZEN' ? b : undefined;
  });
  expect(frozen.answer_due).not.toBeNull();
  expect((await knex('fee_check').where({ check_id: 'FCS-sweep-1' }).first()).status).toBe('BATCHED');
}, 60_000);
