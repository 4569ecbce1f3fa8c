import { compensationActivities } from '../../activities/compensation';
import { HAINAN_CASE_CODES } from '../../db/catalogue-data';
import { LedgerEntry, Settlement } from '../../db/entities';
import { seededOrmForFile } from '../support/db';
import { settledStay } from './settled-stay';

const db = seededOrmForFile();

/**
 * A comparison assessed before the assessment carried its accumulator effect (a workflow running when
 * this code was deployed) pays without it: the payment activity computes the effect itself, and moves
 * the accumulators exactly as the comparison of today would.
 */
test('a payment without the accumulator effect (assessed by older code) computes it and moves the accumulators once', async () => {
  const psn_no = 'P46000000000002';
  const s = await settledStay(db.orm, {
    psn_no,
    psn_name: '符海燕',
    insuplc_admdvs: '460000',
    insutype: '390',
    mdtrtarea_admvs: '510100',
    fixmedins_code: 'H51010000001',
    fixmedins_name: '四川大学华西医院',
    lines: [
      ['003310000010000', 380_000, 1],
      [HAINAN_CASE_CODES.trastuzumab, 520_000, 2], // 丙 in 成都, 乙 in 海南: a gap
    ],
    endtime: new Date(Date.now() - 86_400_000),
  });
  const direct = await db.orm.em.fork().findOneOrFail(Settlement, { setl_id: s.setl_id });
  const knex = db.orm.em.getKnex();
  const key = { psn_no, insuplc_admdvs: '460000', year: direct.acc_year };
  await knex('accumulator').insert({
    ...key,
    ...direct.accumulators_after,
    version: 1,
    updated_at: new Date(),
  });
  const activities = compensationActivities({ orm: db.orm });
  const now = new Date().toISOString();
  const a = await activities.assessCompensation({ setl_id: s.setl_id, appy_date: now.slice(0, 10) });
  expect(a.qualifies).toBe(true);
  const { acc_year, accumulator_effect, ...older } = a;
  expect(acc_year).toBe(direct.acc_year);
  const args = {
    compensation: {
      compensation_id: `compensation-${s.setl_id}`,
      setl_id: s.setl_id,
      mdtrt_id: s.mdtrt_id,
      psn_no,
      insuplc_admdvs: '460000',
      prov_admdvs: older.prov_admdvs,
      origin: 'detected' as const,
      applied_by: null,
      status: 'PAID' as const,
      direct_fund_pay: older.direct_fund_pay,
      recomputed_fund_pay: older.recomputed_fund_pay,
      gap: older.gap,
      steps: older.steps,
      items: older.items,
      catalogue_admvs: older.catalogue_admvs,
      policy_id: older.policy?.policy_id ?? null,
      policy_version: older.policy?.version ?? null,
      task_id: null,
      decision: { decision: 'approve' as const, reason: null, decided_at: now },
      paid_at: now,
      updated_at: now,
      projection_seq: 1,
    },
    events: [],
    insutype: older.insutype,
  };
  const row = async () => knex('accumulator').where(key).first();
  const before = await row();
  await activities.payCompensation(args);
  const after = await row();
  for (const k of Object.keys(accumulator_effect) as (keyof typeof accumulator_effect)[])
    expect(Number(after[k]) - Number(before[k])).toBe(k === 'acct_balc' ? 0 : accumulator_effect[k]);
  expect(Number(after.hifp_paid_ytd)).toBeGreaterThan(Number(before.hifp_paid_ytd));
  // Run again (a retry): the pair is there, nothing moves.
  await activities.payCompensation(args);
  expect(await row()).toEqual(after);
  expect(await db.orm.em.fork().count(LedgerEntry, { setl_id: `BC${s.setl_id}` })).toBe(2);
});
