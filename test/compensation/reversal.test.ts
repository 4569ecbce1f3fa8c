import path from 'node:path';
import { compensationWorkflowId, type DecisionMessage, decideUpdate } from '../../cases';
import { CaseEvent, Compensation, HumanTask, LedgerEntry } from '../../db/entities';
import { settlementWorkflow } from '../../workflows';
import { settlementWorkflowId } from '../../workflows/settlement';
import { eventually } from '../support/eventually';
import { recordAndReplay } from '../support/histories';
import { caseWorkerPerTest } from '../support/temporal';
import { settledWithGap as settledGapStay } from './settled-stay';

/**
 * 2305 on a settlement whose 待遇补差 is open or paid: the open comparison closes WITHDRAWN (its task
 * withdrawn), a paid gap goes back with the settlement in the reversal's transaction — ledger and
 * accumulators as if neither had been.
 */
// Every history a test produced must replay (determinism); recorded with YIDI_RECORD_HISTORIES=1 for the
// replay tests: the comparisons in test/compensation/histories/reversed, the reversals in
// test/cases/histories/stays/compensation-reversal.
const suite = caseWorkerPerTest(async ({ worker, bundle }) => {
  for (const [dir, type] of [
    [path.join(__dirname, 'histories', 'reversed'), 'compensationWorkflow'],
    [
      path.join(__dirname, '..', 'cases', 'histories', 'stays', 'compensation-reversal'),
      'settlementWorkflow',
    ],
  ] as const) {
    const { failures } = await recordAndReplay(worker.client, bundle, dir, new Set([type]));
    expect(failures).toEqual([]);
  }
});

const psn_no = 'P46000000000003';

/** 陈丽's settled stay with a gap, her accumulators after it, and its comparison started. */
const settledWithGap = () => settledGapStay(suite.orm, suite.worker, { psn_no, psn_name: '陈丽' });

/** 2305 as the stay runs it: the settlement child with op reverse. */
function reverse(setl_id: string, round = 1) {
  const reversal = `${setl_id}R${round}`;
  return suite.worker.client.workflow.execute(settlementWorkflow, {
    workflowId: settlementWorkflowId(reversal),
    taskQueue: suite.worker.taskQueue,
    args: [
      { op: 'reverse', setl_id: reversal, original_setl_id: setl_id, setl_time: new Date().toISOString() },
    ],
  });
}

const openTask = (setl_id: string) => async () =>
  (await suite.orm.em
    .fork()
    .findOne(HumanTask, { case_id: compensationWorkflowId(setl_id), status: 'open' })) ?? undefined;
const texts = async (mdtrt_id: string) =>
  (
    await suite.orm.em.fork().find(CaseEvent, { case_id: mdtrt_id }, { orderBy: { at: 'asc', id: 'asc' } })
  ).map((e) => String(e.detail.text ?? e.kind));
const sum = (rows: LedgerEntry[]) => rows.reduce((t, l) => t + l.debit - l.credit, 0);

function approval(task: HumanTask): DecisionMessage {
  return {
    decision_id: crypto.randomUUID(),
    task_id: task.id,
    decision: 'approve',
    reason: null,
    decided_by: 'staff-hi',
    decided_at: new Date().toISOString(),
  };
}

test('reversed while under review: the comparison closes WITHDRAWN (结算已撤销), its task withdrawn, nothing paid, and the citizen is told', async () => {
  const s = await settledWithGap();
  const task = await eventually(openTask(s.setl_id));
  const r = await reverse(s.setl_id);
  expect(r).toMatchObject({ op: 'reverse' });
  const view = await s.handle.result();
  expect(view.status).toBe('WITHDRAWN');
  expect(view.decision).toMatchObject({ reason: '结算已撤销' });
  const row = await eventually(async () => {
    const c = await suite.orm.em.fork().findOne(Compensation, { setl_id: s.setl_id });
    return c?.status === 'WITHDRAWN' ? c : undefined;
  });
  expect(row.paid_at).toBeNull();
  expect((await suite.orm.em.fork().findOneOrFail(HumanTask, { id: task.id })).status).toBe('cancelled');
  expect(await suite.orm.em.fork().count(LedgerEntry, { setl_id: `BC${s.setl_id}` })).toBe(0);
  expect((await texts(s.mdtrt_id)).at(-1)).toBe(
    '医院已撤销本次结算，待遇补差比较随之终止；重新结算后将另行比较是否需要补差',
  );
  // A decision arriving late on the withdrawn task finds no comparison to decide.
  const late = approval(task);
  await expect(
    s.handle.executeUpdate(decideUpdate, { args: [late], updateId: late.decision_id }),
  ).rejects.toThrow();
  // The accumulators are back where they were before the stay.
  const acc = await suite.orm.em.getKnex()('accumulator').where(s.key).first();
  for (const [k, v] of Object.entries(s.direct.accumulators_before)) expect(Number(acc[k])).toBe(v);
});

test('reversed after the gap was paid: the gap goes back with the settlement (a BR pair, once), the accumulators as before the stay, the comparison RECOVERED', async () => {
  const s = await settledWithGap();
  const task = await eventually(openTask(s.setl_id));
  const ok = approval(task);
  await s.handle.executeUpdate(decideUpdate, { args: [ok], updateId: ok.decision_id });
  const paid = await s.handle.result();
  expect(paid.status).toBe('PAID');
  const acc = async () => suite.orm.em.getKnex()('accumulator').where(s.key).first();
  expect(Number((await acc()).hifp_paid_ytd)).toBeGreaterThan(
    Number(s.direct.accumulators_after.hifp_paid_ytd),
  );

  await reverse(s.setl_id);
  const recovery = await suite.orm.em
    .fork()
    .find(LedgerEntry, { setl_id: `BR${s.setl_id}` }, { orderBy: { seq: 'asc' } });
  expect(recovery.map((l) => [l.account, l.debit, l.credit])).toEqual([
    ['personal_cash', 0, paid.gap],
    ['insured_fund_payable', paid.gap, 0],
  ]);
  // The stay's whole ledger (settlement, its reversal, the gap and its recovery) nets to zero per account.
  const all = await suite.orm.em.fork().find(LedgerEntry, { mdtrt_id: s.mdtrt_id });
  expect(sum(all)).toBe(0);
  const gapRows = all.filter((l) => l.setl_id === `BC${s.setl_id}` || l.setl_id === `BR${s.setl_id}`);
  for (const account of ['personal_cash', 'insured_fund_payable'])
    expect(sum(gapRows.filter((l) => l.account === account))).toBe(0);
  const after = await acc();
  for (const [k, v] of Object.entries(s.direct.accumulators_before)) expect(Number(after[k])).toBe(v);
  const c = await suite.orm.em.fork().findOneOrFail(Compensation, { setl_id: s.setl_id });
  expect(c.status).toBe('RECOVERED');
  expect((await texts(s.mdtrt_id)).at(-1)).toMatch(
    /^结算已撤销，已支付的待遇补差 [\d,]+\.\d{2} 元随之收回；重新结算后将另行比较是否需要补差$/,
  );
  // A second 2305 is refused as always; the recovery stays one pair.
  expect(await reverse(s.setl_id, 2)).toMatchObject({ refused: { code: 'ALREADY_REVERSED' } });
  expect(await suite.orm.em.fork().count(LedgerEntry, { setl_id: `BR${s.setl_id}` })).toBe(2);
});

test('a gap paid before payments stored their accumulator effect is taken back all the same (the effect computed again)', async () => {
  const s = await settledWithGap();
  const task = await eventually(openTask(s.setl_id));
  const ok = approval(task);
  await s.handle.executeUpdate(decideUpdate, { args: [ok], updateId: ok.decision_id });
  expect((await s.handle.result()).status).toBe('PAID');
  // As the row of a payment made by the code before: no effect stored.
  await suite.orm.em
    .getKnex()('compensation')
    .where({ setl_id: s.setl_id })
    .update({ acc_year: null, accumulator_effect: null });
  await reverse(s.setl_id);
  const after = await suite.orm.em.getKnex()('accumulator').where(s.key).first();
  for (const [k, v] of Object.entries(s.direct.accumulators_before))
    expect([k, Number(after[k])]).toEqual([k, v]);
  expect((await suite.orm.em.fork().findOneOrFail(Compensation, { setl_id: s.setl_id })).status).toBe(
    'RECOVERED',
  );
});
