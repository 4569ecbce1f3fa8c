import { type DemoSettlement, insertSettlements } from '../../db/clearing-demo';
import { type Orm, openOrm } from '../../db/orm';
import { seedReferenceData } from '../../db/seed';
import { createTestDatabase, type TestDatabase } from '../support/db';

/**
 * Migration20261202191422 marks checks already in a clearing: a check confirmed before its month's
 * statement was generated was recovered there; one confirmed after it was held there (the statement
 * held it back), so the next clearing releases the hold and deducts the recovery.
 */
let orm: Orm;
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  orm = await openOrm(db.url);
  // The migration just before Migration20261202191422: the reference seed needs its columns.
  await orm.getMigrator().up({ to: 'Migration20261202190321' });
}, 120_000);
afterAll(async () => {
  await orm?.close();
  await db?.drop();
});

const settlement = (setl_id: string): DemoSettlement => ({
  setl_id,
  insuplc_admdvs: '460000',
  mdtrtarea_admvs: '510100',
  fixmedins_code: 'H51010000001',
  psn_no: `P${setl_id}`,
  insutype: '390',
  hifp_pay: 1_000_000,
  maf_pay: 0,
  acct_pay: 0,
  psn_cash_pay: 100_000,
  day: 5,
});

test('checks confirmed after their month was generated are held there, not recovered', async () => {
  const knex = orm.em.getKnex();
  await seedReferenceData(orm.em.fork());
  await insertSettlements(knex, '2026-10', [settlement('M1S01'), settlement('M2S01'), settlement('M3S01')]);
  const generated = new Date('2026-11-01T02:00:00Z');
  await knex('clearing_statement').insert({
    clr_month: '2026-10',
    pair_id: '460000-510000',
    insured_prov: '460000',
    treatment_prov: '510000',
    status: 'GENERATED',
    round: 1,
    settlements: 3,
    reversals: 0,
    owed: 3_000_000,
    held_back: 0,
    recovered: 0,
    net_transfer: 3_000_000,
    generated_at: generated,
    updated_at: generated,
  });
  const check = (setl_id: string, status: string, confirmed_at: Date | null) => ({
    check_id: `FC${setl_id}`,
    setl_id,
    mdtrt_id: setl_id.replace(/S.*$/, ''),
    insured_prov: '460000',
    treatment_prov: '510000',
    insuplc_admdvs: '460000',
    mdtrtarea_admvs: '510100',
    fixmedins_code: 'H51010000001',
    fixmedins_name: '四川大学华西医院',
    insutype: '390',
    medfee_sumamt: 100_000,
    reason: '核查',
    status,
    batch_id: 'FC-460000-510000-202610',
    rolled_over: false,
    requested_by: 'coord-hi',
    requested_at: new Date('2026-10-20T00:00:00Z'),
    recovered: status === 'CONFIRMED' ? 50_000 : 0,
    confirmed_by: confirmed_at ? 'coord-hi' : null,
    confirmed_at,
    updated_at: new Date(),
  });
  await knex('fee_check').insert([
    check('M1S01', 'CONFIRMED', new Date('2026-10-30T00:00:00Z')),
    check('M2S01', 'CONFIRMED', new Date('2026-11-03T00:00:00Z')),
    check('M3S01', 'BATCHED', null),
  ]);
  await orm.getMigrator().up({ to: 'Migration20261202191422' });
  expect(await knex('fee_check').orderBy('check_id').select('check_id', 'held_in', 'recovered_in')).toEqual([
    { check_id: 'FCM1S01', held_in: null, recovered_in: '2026-10' },
    { check_id: 'FCM2S01', held_in: '2026-10', recovered_in: null },
    { check_id: 'FCM3S01', held_in: '2026-10', recovered_in: null },
  ]);
}, 60_000);
