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

test('a re-clear that would change what the already reconciled opposite direction owes is refused', async () => {
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
  // A fee check on 海南's big stay would make 四川 → 海南, already reconciled on nothing, the payer.
  await feeCheck('H2701S01', 'BATCHED', [2_500_000], null);
  await expect(
    act({ pair_id: PAIR, action: 'reclear', side: null, prov_admdvs: '460000', user: 'staff-hi' }),
  ).rejects.toMatchObject({ cause: { type: 'CLEARING_OPPOSITE_CLOSED' } });
  const [mine] = await readStatements(knex, { clr_month: month, pair_id: PAIR, provs: null });
  expect(mine).toMatchObject({ status: 'DISPUTED', held_back: 0, net_transfer: 2_000_000 });
  const [theirs] = await readStatements(knex, { clr_month: month, pair_id: '510000-460000', provs: null });
  expect(theirs).toMatchObject({ status: 'RECONCILED', net_transfer: -2_000_000 });
  // Nothing of it stays for later months.
  await knex('fee_check_item').where({ check_id: 'FCH2701S01' }).delete();
  await knex('fee_check').where({ check_id: 'FCH2701S01' }).delete();
}, 60_000);

test('a direction waits while its opposite is disputed; the re-clear that flips the net reopens it', async () => {
  const month = '2027-02';
  const knex = orm.em.getKnex();
  const BACK = '510000-460000';
  await insertSettlements(knex, month, [
    settlement('H2801S01', 3_000_000, 5),
    { ...settlement('H2802S01', 2_900_000, 6), insuplc_admdvs: '510100', mdtrtarea_admvs: '460000' },
  ]);
  await clear(month);
  const handle = w.client.workflow.getHandle(clearingWorkflowId(month));
  let n = 0;
  const act = (req: Omit<ClearingActionRequest, 'action_id'>) => {
    const action_id = `${month}-${req.pair_id}-${req.action}-${req.side}-${++n}`;
    return handle.executeUpdate(clearingActionUpdate, { updateId: action_id, args: [{ ...req, action_id }] });
  };
  const pair = async (pair_id: string) =>
    (await handle.query(clearingStateQuery)).pairs.find((x) => x.pair_id === pair_id);
  const tasksOpen = (pair_id: string, round: number) =>
    eventually(async () => {
      const p = await pair(pair_id);
      return p?.status === 'GENERATED' && p.round === round && p.task_ids.insured && p.task_ids.treatment
        ? p
        : undefined;
    });
  const confirmBoth = async (pair_id: string) => {
    const [insured, treatment] = pair_id.split('-') as [string, string];
    await act({ pair_id, action: 'confirm', side: 'insured', prov_admdvs: insured, user: 'coord-a' });
    await act({ pair_id, action: 'confirm', side: 'treatment', prov_admdvs: treatment, user: 'coord-b' });
  };
  await tasksOpen(PAIR, 1);
  await tasksOpen(BACK, 1);
  // 海南 → 四川 owes slightly more (100,000 fen net) and is disputed.
  await act({
    pair_id: PAIR,
    action: 'dispute',
    side: 'insured',
    prov_admdvs: '460000',
    user: 'coord-hi',
    reason: '协查未完成',
  });
  // 四川 → 海南 is netted to nothing and both confirm: it stays CONFIRMED, not auto-transferred.
  await confirmBoth(BACK);
  await expect(
    act({
      pair_id: BACK,
      action: 'transfer',
      side: 'insured',
      prov_admdvs: '510000',
      user: 'coord-sc',
      reference: 'X',
    }),
  ).rejects.toMatchObject({ cause: { type: 'CLEARING_NOT_ALLOWED' } });
  expect((await readStatements(knex, { clr_month: month, pair_id: BACK, provs: null }))[0]?.status).toBe(
    'CONFIRMED',
  );
  // The re-clear holds 2,500,000 fen of 海南's stay: now 四川 → 海南 pays, confirmed again in round 2.
  await feeCheck('H2801S01', 'BATCHED', [2_500_000], null);
  await act({ pair_id: PAIR, action: 'reclear', side: null, prov_admdvs: '460000', user: 'staff-hi' });
  const reopened = await tasksOpen(BACK, 2);
  expect(reopened.net_transfer).toBe(2_400_000);
  const [back] = await readStatements(knex, { clr_month: month, pair_id: BACK, provs: null });
  expect(back).toMatchObject({ status: 'GENERATED', net_transfer: 2_400_000 });
  expect(
    await knex('human_task')
      .where({ id: `clearing-${month}-${BACK}-insured-r1` })
      .first(),
  ).toMatchObject({ status: 'decided' });
  await tasksOpen(PAIR, 2);
  await confirmBoth(BACK);
  await confirmBoth(PAIR);
  await act({
    pair_id: BACK,
    action: 'transfer',
    side: 'insured',
    prov_admdvs: '510000',
    user: 'coord-sc',
    reference: 'SC-2027-02',
  });
  const done = await eventually(async () => {
    const rows = await readStatements(knex, { clr_month: month, provs: null });
    const mine = rows.filter((r) => r.pair_id === PAIR || r.pair_id === BACK);
    return mine.every((r) => r.status === 'RECONCILED') ? mine : undefined;
  });
  expect(done.map((r) => [r.pair_id, r.net_transfer])).toEqual(
    expect.arrayContaining([
      [PAIR, -2_400_000],
      [BACK, 2_400_000],
    ]),
  );
  await knex('fee_check_item').where({ check_id: 'FCH2801S01' }).delete();
  await knex('fee_check').where({ check_id: 'FCH2801S01' }).delete();
}, 90_000);

test('a flagged reconciliation not worked within its working days goes to the supervisors', async () => {
  const month = '2027-03';
  const knex = orm.em.getKnex();
  await insertSettlements(knex, month, [settlement('H3101S01', 1_000_000, 3)]);
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
  await insertSettlements(knex, month, [settlement('H3102S01', 50_000, 27)]);
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
