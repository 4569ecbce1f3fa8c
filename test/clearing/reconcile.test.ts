import request from 'supertest';
import { type ClearingStatementView, clearingWorkflowId } from '../../cases';
import { type DemoSettlement, insertSettlements } from '../../db/clearing-demo';
import { eventually } from '../support/eventually';
import { testPlatformForFile } from '../support/platform';

/** 对账不平 worked through the API: re-check after a correction, 补拨/退回, the scope rules, resends. */
const MONTH = '2026-10';
const PAIR = `/clearing/${MONTH}/460000-510000`;

const settlement = (setl_id: string, hifp_pay: number, day: number): DemoSettlement => ({
  setl_id,
  insuplc_admdvs: '460000',
  mdtrtarea_admvs: '510100',
  fixmedins_code: 'H51010000001',
  psn_no: `P${setl_id}`,
  insutype: '390',
  hifp_pay,
  maf_pay: 0,
  acct_pay: 0,
  psn_cash_pay: 100_000,
  day,
});

const p = testPlatformForFile({
  temporal: 'local',
  data: (orm) => insertSettlements(orm.em.getKnex(), MONTH, [settlement('H1001S01', 3_000_000, 3)]),
  timeout: 180_000,
});

const post = async (username: string, path: string, body: object = {}, key?: string) => {
  const r = request(p.app)
    .post(`/api/v1${path}`)
    .set({ Authorization: `Bearer ${await p.login(username)}` });
  if (key) r.set('Idempotency-Key', key);
  return r.send(body);
};
const statement = async () =>
  (
    await request(p.app)
      .get(`/api/v1${PAIR}`)
      .set({ Authorization: `Bearer ${await p.login('coord-hi')}` })
  ).body as ClearingStatementView;

test('a flagged transfer is worked to an end by the insured side, and the month then finishes', async () => {
  const knex = p.orm.em.getKnex();
  expect((await post('staff-hi', '/clearing', { clr_month: MONTH })).status).toBe(202);
  await eventually(async () => ((await statement()).confirmations.length === 2 ? true : undefined), 30_000);
  expect((await post('coord-hi', `${PAIR}/confirm`)).status).toBe(200);
  expect((await post('coord-sc', `${PAIR}/confirm`)).status).toBe(200);
  // A late settlement arrives after the statement: the transfer no longer reconciles.
  await insertSettlements(knex, MONTH, [settlement('H1004S01', 800_000, 28)]);
  expect((await post('coord-hi', `${PAIR}/transfer`, { reference: 'HN-2026-10-001' })).status).toBe(200);
  const flagged = await eventually(async () => {
    const s = await statement();
    return s.reconcile_problem ? s : undefined;
  });
  expect(flagged).toMatchObject({ status: 'TRANSFERRED', reconcile_problem: '清算金额与结算记录不符' });

  // Nothing done yet: a third province does not see the pair, the treatment side may not act on it.
  const third = await post('coord-ah', `${PAIR}/recheck`);
  expect([third.status, third.body.code]).toEqual([404, 'CLEARING_NOT_FOUND']);
  const treatment = await post('coord-sc', `${PAIR}/supplement`, { amount: 100, reference: 'SC-1' });
  expect([treatment.status, treatment.body.code]).toEqual([403, 'CLEARING_WRONG_SIDE']);
  expect(treatment.headers['content-type']).toMatch(/application\/problem\+json/);
  const zero = await post('coord-hi', `${PAIR}/supplement`, { amount: 0, reference: 'HN-0' });
  expect([zero.status, zero.body.code]).toEqual([400, 'VALIDATION_FAILED']);
  const fraction = await post('coord-hi', `${PAIR}/supplement`, { amount: 1.5, reference: 'HN-0' });
  expect(fraction.status).toBe(400);

  // A 补拨 that does not fix the difference, sent twice with one key: recorded once, still flagged.
  for (let i = 0; i < 2; i++) {
    const r = await post('coord-hi', `${PAIR}/supplement`, { amount: 100_000, reference: 'HN-B1' }, 'sup-1');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'TRANSFERRED', transfer: { amount: 3_100_000 } });
    expect(r.body.reconcile_problem).toBe(
      '拨付金额 3100000 与轧差净额 3000000 不符（分）；清算金额与结算记录不符',
    );
  }
  // …and its 退回: the transfer is the net again, the settlements still differ.
  const back = await post(
    'coord-hi',
    `${PAIR}/supplement`,
    { amount: -100_000, reference: 'HN-T1' },
    'sup-2',
  );
  expect(back.body).toMatchObject({
    reconcile_problem: '清算金额与结算记录不符',
    transfer: { amount: 3_000_000 },
  });
  // A re-check before the data is corrected keeps the flag.
  expect((await post('coord-hi', `${PAIR}/recheck`, {}, 'chk-1')).body.reconcile_problem).toBe(
    '清算金额与结算记录不符',
  );

  // A reconciliation_mismatch 问题协同 for the stay behind a settlement of the pair, once per key.
  const now = new Date();
  await knex('stay').insert({
    mdtrt_id: 'H1001',
    psn_no: 'PH1001S01',
    psn_name: '王海',
    insuplc_admdvs: '460000',
    prov_admdvs: '460000',
    mdtrtarea_admvs: '510100',
    fixmedins_code: 'H51010000001',
    fixmedins_name: '四川大学华西医院',
    ipt_no: 'ZY1001',
    insutype: '390',
    med_type: '21',
    begntime: new Date('2026-10-01T02:00:00Z'),
    status: 'SETTLED',
    coverage: JSON.stringify({}),
    diagnoses: JSON.stringify([]),
    medfee_sumamt: 3_100_000,
    fee_count: 0,
    created_at: now,
    updated_at: now,
    projection_seq: 1,
  });
  const notInPair = await post('coord-hi', `${PAIR}/ticket`, { setl_id: 'H9999S01' }, 'tk-0');
  expect([notInPair.status, notInPair.body.code]).toEqual([422, 'CLEARING_TICKET_SETTLEMENT_INVALID']);
  for (let i = 0; i < 2; i++) {
    const r = await post('coord-hi', `${PAIR}/ticket`, { setl_id: 'H1001S01' }, 'tk-1');
    expect(r.status).toBe(200);
    expect(r.body.reconcile_problem).toBe('清算金额与结算记录不符');
  }
  const ticket = await eventually(async () => knex('ticket').where({ mdtrt_id: 'H1001' }).first());
  expect(ticket).toMatchObject({ category: 'reconciliation_mismatch', status: 'OPEN' });
  expect(await knex('ticket').where({ mdtrt_id: 'H1001' }).count({ n: '*' })).toEqual([{ n: '1' }]);

  // The late row was booked in the wrong month: corrected, the re-check reconciles.
  await knex('settlement').where({ setl_id: 'H1004S01' }).delete();
  const ok = await post('coord-hi', `${PAIR}/recheck`, {}, 'chk-2');
  expect(ok.status).toBe(200);
  expect(ok.body).toMatchObject({ status: 'RECONCILED', reconcile_problem: null });
  expect((ok.body as ClearingStatementView).reconcile_actions).toEqual([
    expect.objectContaining({
      action: 'supplement',
      amount: 100_000,
      reference: 'HN-B1',
      by: 'coord-hi',
      reconciled: false,
    }),
    expect.objectContaining({
      action: 'supplement',
      amount: -100_000,
      reference: 'HN-T1',
      reconciled: false,
    }),
    expect.objectContaining({
      action: 'recheck',
      amount: 0,
      reconciled: false,
      problem: '清算金额与结算记录不符',
    }),
    expect.objectContaining({ action: 'ticket', reference: ticket.ticket_id, reconciled: false }),
    expect.objectContaining({ action: 'recheck', amount: 0, reconciled: true, problem: null }),
  ]);
  expect(
    await knex('human_task')
      .where({ id: `clearing-${MONTH}-460000-510000-reconcile` })
      .first(),
  ).toMatchObject({ status: 'decided', decision: 'approve', decided_by: 'coord-hi' });
  // The only pair is reconciled: the month's run ends.
  await p.worker.client.workflow.getHandle(clearingWorkflowId(MONTH)).result();
  expect(await knex('clearing_run').where({ clr_month: MONTH }).first()).toMatchObject({ status: 'DONE' });
  const closed = await post('coord-hi', `${PAIR}/recheck`);
  expect([closed.status, closed.body.code]).toEqual([409, 'CLEARING_CLOSED']);
  // The export shows the final state: reconciled, no 对账不平 line.
  const csv = await request(p.app)
    .get(`/api/v1${PAIR}/export.csv`)
    .set({ Authorization: `Bearer ${await p.login('coord-hi')}` });
  expect(csv.text).toContain('状态,已对账');
  expect(csv.text).not.toContain('对账不平');
}, 90_000);
