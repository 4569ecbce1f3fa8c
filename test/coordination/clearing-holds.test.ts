import { clearingWorkflowId, WORKFLOW_TYPES } from '../../cases';
import {
  type ClearingActionRequest,
  type ClearingInput,
  clearingActionUpdate,
  clearingStateQuery,
} from '../../cases/clearing';
import { readStatements } from '../../db/clearing';
import { type DemoSettlement, insertSettlements } from '../../db/clearing-demo';
import type { Orm } from '../../db/orm';
import { seedReferenceData } from '../../db/seed';
import { migratedOrm } from '../support/db';
import { eventually } from '../support/eventually';
import { bundleCaseWorkflows, caseWorker } from '../support/temporal';

const MONTH = '2026-10';
let orm: Orm;
let close: () => Promise<void>;
let w: Awaited<ReturnType<typeof caseWorker>>;

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

/** A fee check on a settlement as its rows stand: its lines, and what the insured side confirmed. */
async function feeCheck(
  setl_id: string,
  status: 'BATCHED' | 'CONFIRMED',
  lines: number[],
  incorrect: number | null,
): Promise<void> {
  const knex = orm.em.getKnex();
  const check_id = `FC${setl_id}`;
  const now = new Date();
  await knex('fee_check').insert({
    check_id,
    setl_id,
    mdtrt_id: setl_id.replace(/S.*$/, ''),
    insured_prov: '460000',
    treatment_prov: '510000',
    insuplc_admdvs: '460000',
    mdtrtarea_admvs: '510100',
    fixmedins_code: 'H51010000001',
    fixmedins_name: '四川大学华西医院',
    insutype: '390',
    medfee_sumamt: lines.reduce((a, b) => a + b, 0),
    reason: '核查',
    status,
    batch_id: 'FC-460000-510000-202610',
    rolled_over: false,
    requested_by: 'coord-hi',
    requested_at: now,
    recovered: status === 'CONFIRMED' ? (incorrect ?? 0) : 0,
    updated_at: now,
  });
  await knex('fee_check_item').insert(
    lines.map((amount, i) => ({
      check_id,
      feedetl_sn: String(i + 1).padStart(4, '0'),
      med_list_codg: '001107000010000',
      det_item_fee_sumamt: amount,
      outcome: status === 'CONFIRMED' ? (i === 0 && incorrect ? 'incorrect' : 'correct') : null,
      amount: status === 'CONFIRMED' && i === 0 ? incorrect : null,
    })),
  );
}

beforeAll(async () => {
  const db = await migratedOrm();
  orm = db.orm;
  close = db.close;
  await seedReferenceData(orm.em.fork());
  await insertSettlements(orm.em.getKnex(), MONTH, [
    settlement('H1001S01', 3_000_000, 3),
    settlement('H1002S01', 2_500_000, 8),
    settlement('H1003S01', 1_000_000, 15),
  ]);
  await feeCheck('H1001S01', 'CONFIRMED', [2_600_000, 500_000], 520_000);
  await feeCheck('H1002S01', 'BATCHED', [1_200_000, 300_001], null);
  w = await caseWorker(orm, 'time-skipping', await bundleCaseWorkflows());
}, 180_000);
afterAll(async () => {
  await w?.teardown();
  await close?.();
});

const PAIR = '460000-510000';

async function clear(clr_month: string) {
  await w.client.workflow.start(WORKFLOW_TYPES.clearing, {
    workflowId: clearingWorkflowId(clr_month),
    taskQueue: w.taskQueue,
    args: [{ clr_month, requested_by: 'staff-hi' } satisfies ClearingInput],
  });
  // The run has written its statements once its row is there and nothing is left to generate.
  return eventually(async () => {
    const run = await orm.em.getKnex()('clearing_run').where({ clr_month }).first();
    if (!run) return undefined;
    const st = await readStatements(orm.em.getKnex(), { clr_month, pair_id: PAIR, provs: null });
    return { statement: st[0] };
  });
}

test('clearing holds back unconfirmed fee checks and deducts confirmed 核查有误', async () => {
  const st = (await clear(MONTH)).statement;
  // Held back: both lines of the check not yet confirmed; recovered: the confirmed 核查有误 amount.
  expect(st).toMatchObject({ owed: 6_500_000, held_back: 1_500_001, recovered: 520_000 });
  expect(st?.net_transfer).toBe(6_500_000 - 1_500_001 - 520_000);
}, 60_000);

test('a check confirmed, or requested, after its settlement’s month was cleared goes into the next month, once', async () => {
  const knex = orm.em.getKnex();
  // After October is cleared: the held check is confirmed with 300,001 fen 核查有误, and a new check
  // is requested on another October stay.
  await knex('fee_check_item').where({ check_id: 'FCH1002S01', feedetl_sn: '0002' }).update({
    outcome: 'incorrect',
    amount: 300_001,
  });
  await knex('fee_check')
    .where({ check_id: 'FCH1002S01' })
    .update({ status: 'CONFIRMED', recovered: 300_001, confirmed_by: 'coord-hi', confirmed_at: new Date() });
  await feeCheck('H1003S01', 'BATCHED', [700_000, 12_345], null);

  // November has no settlements of the pair: its statement is the fee checks' alone.
  const nov = await clear('2026-11');
  expect(nov.statement).toMatchObject({
    owed: 0,
    lines: [],
    held_back: 712_345,
    released: 1_500_001,
    recovered: 300_001,
    net_transfer: -712_345 + 1_500_001 - 300_001,
  });
  // December: nothing left to hold or recover, so no statement for the pair.
  expect((await clear('2026-12')).statement).toBeUndefined();

  // Over the three months the pair paid what it owed less what was recovered and what is still held.
  const months = await knex('clearing_statement').where({ pair_id: PAIR }).orderBy('clr_month');
  const paid = months.reduce(
    (a, r) => a + Number(r.owed) - Number(r.held_back) + Number(r.released) - Number(r.recovered),
    0,
  );
  expect(months.map((r) => r.clr_month)).toEqual([MONTH, '2026-11']);
  expect(paid).toBe(6_500_000 - 520_000 - 300_001 - 712_345);
  expect(await knex('fee_check').orderBy('check_id').select('check_id', 'held_in', 'recovered_in')).toEqual([
    { check_id: 'FCH1001S01', held_in: null, recovered_in: MONTH },
    { check_id: 'FCH1002S01', held_in: MONTH, recovered_in: '2026-11' },
    { check_id: 'FCH1003S01', held_in: '2026-11', recovered_in: null },
  ]);
}, 60_000);

test('a transfer that does not reconcile with the settlements is flagged on the statement, with a task', async () => {
  const act = (req: Omit<ClearingActionRequest, 'action_id'>) =>
    w.client.workflow.getHandle(clearingWorkflowId(MONTH)).executeUpdate(clearingActionUpdate, {
      updateId: `${req.action}-${req.side}`,
      args: [{ ...req, action_id: `${req.action}-${req.side}` }],
    });
  const ready = () =>
    eventually(async () => {
      const t = await orm.em
        .getKnex()('human_task')
        .where({ case_id: `clearing-${MONTH}-${PAIR}`, status: 'open' });
      return t.length === 2 ? t : undefined;
    });
  await ready();
  await act({ pair_id: PAIR, action: 'confirm', side: 'insured', prov_admdvs: '460000', user: 'coord-hi' });
  await act({ pair_id: PAIR, action: 'confirm', side: 'treatment', prov_admdvs: '510000', user: 'coord-sc' });
  // A late October settlement arrives after the statement: the statement no longer matches the table.
  await insertSettlements(orm.em.getKnex(), MONTH, [settlement('H1004S01', 800_000, 28)]);
  await act({
    pair_id: PAIR,
    action: 'transfer',
    side: 'insured',
    prov_admdvs: '460000',
    user: 'coord-hi',
    reference: 'HN-2026-10-001',
  });
  const st = await eventually(async () => {
    const [s] = await readStatements(orm.em.getKnex(), { clr_month: MONTH, pair_id: PAIR, provs: null });
    return s?.reconcile_problem ? s : undefined;
  });
  expect(st.status).toBe('TRANSFERRED');
  expect(st.reconcile_problem).toBe('清算金额与结算记录不符');
  const task = await orm.em
    .getKnex()('human_task')
    .where({ id: `clearing-${MONTH}-${PAIR}-reconcile` })
    .first();
  expect(task).toMatchObject({
    kind: 'clearing_reconcile',
    status: 'open',
    role: 'coordinator',
    prov_admdvs: '460000',
  });
}, 60_000);

test('a re-clear that changes what the already reconciled opposite direction owes flags that direction', async () => {
  const month = '2027-01';
  const knex = orm.em.getKnex();
  await insertSettlements(knex, month, [
    settlement('H2701S01', 3_000_000, 5),
    { ...settlement('H2702S01', 1_000_000, 6), insuplc_admdvs: '510100', mdtrtarea_admvs: '460000' },
  ]);
  await clear(month);
  const handle = w.client.workflow.getHandle(clearingWorkflowId(month));
  const act = (req: Omit<ClearingActionRequest, 'action_id'>) =>
    handle.executeUpdate(clearingActionUpdate, {
      updateId: `${month}-${req.action}`,
      args: [{ ...req, action_id: `${month}-${req.action}` }],
    });
  // A pair is ready for its sides once the run has opened its round (both tasks in the run's state).
  const tasksOpen = (pair_id: string) =>
    eventually(async () => {
      const p = (await handle.query(clearingStateQuery)).pairs.find((x) => x.pair_id === pair_id);
      return p?.status === 'GENERATED' && p.task_ids.insured && p.task_ids.treatment ? p : undefined;
    });
  // 四川 → 海南 owes less than 海南 → 四川: both confirm, netted to nothing of its own, reconciled.
  await tasksOpen('510000-460000');
  for (const [side, prov_admdvs] of [
    ['insured', '510000'],
    ['treatment', '460000'],
  ] as const)
    await handle.executeUpdate(clearingActionUpdate, {
      updateId: `${month}-back-${side}`,
      args: [
        {
          action_id: `${month}-back-${side}`,
          pair_id: '510000-460000',
          action: 'confirm',
          side,
          prov_admdvs,
          user: `coord-${side}`,
        },
      ],
    });
  const back = await eventually(async () => {
    const [s] = await readStatements(knex, { clr_month: month, pair_id: '510000-460000', provs: null });
    return s?.status === 'RECONCILED' ? s : undefined;
  });
  expect(back.net_transfer).toBe(-2_000_000);
  await eventually(async () => {
    const t = await knex('human_task').where({ case_id: `clearing-${month}-${PAIR}`, status: 'open' });
    return t.length === 2 ? t : undefined;
  });
  await act({
    pair_id: PAIR,
    action: 'dispute',
    side: 'insured',
    prov_admdvs: '460000',
    user: 'coord-hi',
    reason: '协查未完成',
  });
  // A fee check on 海南's big stay, then the re-clear holds it back: now 四川 → 海南 owes the net.
  await feeCheck('H2701S01', 'BATCHED', [2_500_000], null);
  await act({ pair_id: PAIR, action: 'reclear', side: null, prov_admdvs: '460000', user: 'staff-hi' });
  const [mine] = await readStatements(knex, { clr_month: month, pair_id: PAIR, provs: null });
  expect(mine).toMatchObject({ held_back: 2_500_000, net_transfer: -500_000 });
  const flagged = await eventually(async () => {
    const [s] = await readStatements(knex, { clr_month: month, pair_id: '510000-460000', provs: null });
    return s?.reconcile_problem ? s : undefined;
  });
  expect(flagged.net_transfer).toBe(500_000);
  expect(flagged.reconcile_problem).toBe(
    '重新清算 460000-510000 后轧差净额变为 500000，与已拨付的 0 不符（分）',
  );
  expect(
    await knex('human_task')
      .where({ id: `clearing-${month}-510000-460000-reconcile` })
      .first(),
  ).toMatchObject({ kind: 'clearing_reconcile', status: 'open', prov_admdvs: '510000' });

  // 四川 now owes the net it did not pay: a 补拨 short of it keeps the flag, the rest reconciles it.
  const supplement = (n: number, amount: number) =>
    handle.executeUpdate(clearingActionUpdate, {
      updateId: `${month}-sup-${n}`,
      args: [
        {
          action_id: `${month}-sup-${n}`,
          pair_id: '510000-460000',
          action: 'supplement',
          side: 'insured',
          prov_admdvs: '510000',
          user: 'coord-sc',
          amount,
          reference: `SC-2027-01-${n}`,
        },
      ],
    });
  expect(await supplement(1, 200_000)).toMatchObject({
    reconcile_problem: '拨付金额 200000 与轧差净额 500000 不符（分）',
  });
  expect(await supplement(2, 300_000)).toMatchObject({ status: 'RECONCILED', reconcile_problem: null });
  const [done] = await readStatements(knex, { clr_month: month, pair_id: '510000-460000', provs: null });
  expect(done).toMatchObject({
    status: 'RECONCILED',
    reconcile_problem: null,
    transfer: { amount: 500_000 },
  });
  expect(
    await knex('human_task')
      .where({ id: `clearing-${month}-510000-460000-reconcile` })
      .first(),
  ).toMatchObject({ status: 'decided', decision: 'approve' });
}, 60_000);

test('a flagged reconciliation not worked within its working days goes to the supervisors', async () => {
  const month = '2027-02';
  const knex = orm.em.getKnex();
  await insertSettlements(knex, month, [settlement('H2801S01', 1_000_000, 3)]);
  await clear(month);
  const handle = w.client.workflow.getHandle(clearingWorkflowId(month));
  await eventually(async () => {
    const p = (await handle.query(clearingStateQuery)).pairs[0];
    return p?.task_ids.insured && p.task_ids.treatment ? p : undefined;
  });
  for (const [side, prov_admdvs, action] of [
    ['insured', '460000', 'confirm'],
    ['treatment', '510000', 'confirm'],
  ] as const)
    await handle.executeUpdate(clearingActionUpdate, {
      updateId: `${month}-${side}`,
      args: [
        { action_id: `${month}-${side}`, pair_id: PAIR, action, side, prov_admdvs, user: `coord-${side}` },
      ],
    });
  await insertSettlements(knex, month, [settlement('H2802S01', 50_000, 27)]);
  await handle.executeUpdate(clearingActionUpdate, {
    updateId: `${month}-transfer`,
    args: [
      {
        action_id: `${month}-transfer`,
        pair_id: PAIR,
        action: 'transfer',
        side: 'insured',
        prov_admdvs: '460000',
        user: 'coord-hi',
        reference: 'HN-2027-02-001',
      },
    ],
  });
  const id = `clearing-${month}-${PAIR}-reconcile`;
  const open = await eventually(async () => knex('human_task').where({ id, status: 'open' }).first());
  // 5 working days (and the weekends between) pass with nobody acting.
  await w.env.sleep('8 days');
  const task = await eventually(async () => knex('human_task').where({ id, status: 'escalated' }).first());
  expect(task).toMatchObject({ role: 'supervisor', prov_admdvs: '460000', kind: 'clearing_reconcile' });
  // …with as long again.
  expect(new Date(task.due_at).getTime()).toBeGreaterThan(new Date(open.due_at).getTime() + 5 * 86_400_000);
  // Still flagged: the month's run has not finished.
  expect(await knex('clearing_run').where({ clr_month: month }).first()).toMatchObject({ status: 'RUNNING' });
}, 60_000);
