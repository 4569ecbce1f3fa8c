import path from 'node:path';
import { compensationActivities } from '../../activities/compensation';
import { compensationWorkflowId, type DecisionMessage, decideUpdate } from '../../cases';
import {
  CaseEvent,
  Compensation,
  HumanTask,
  LedgerEntry,
  PolicyVersion,
  type Settlement,
} from '../../db/entities';
import { validatePolicy } from '../../settlement';
import { settlementWorkflow } from '../../workflows';
import { settlementWorkflowId } from '../../workflows/settlement';
import { eventually } from '../support/eventually';
import { recordAndReplay } from '../support/histories';
import { caseWorkerPerTest } from '../support/temporal';
import { settledWithGap } from './settled-stay';

/**
 * 待遇补差 paid against the caps as they stand at payment: the gap is assessed from the accumulators the
 * direct settlement started from, but another stay of the same person may settle while the comparison
 * waits for review, using the room the annual cap left. The payment pays at most what the caps leave.
 */

const suite = caseWorkerPerTest(async ({ worker, bundle }) => {
  const { failures } = await recordAndReplay(
    worker.client,
    bundle,
    path.join(__dirname, 'histories', 'capped'),
    new Set(['compensationWorkflow']),
  );
  expect(failures).toEqual([]);
});

const psn_no = 'P46000000000004';

/** 吴静's stay with a gap, her year's accumulators as it left them, and its comparison under review. */
async function underReview() {
  const s = await settledWithGap(suite.orm, suite.worker, { psn_no, psn_name: '吴静' });
  const { direct, key } = s;
  const knex = suite.orm.em.getKnex();
  const task = await eventually(
    async () =>
      (await suite.orm.em
        .fork()
        .findOne(HumanTask, { case_id: compensationWorkflowId(s.setl_id), status: 'open' })) ?? undefined,
  );
  const row = await policyRow(direct);
  const checked = validatePolicy(row.params);
  if (!checked.ok) throw new Error('stored policy invalid');
  const acc = async () => knex('accumulator').where(key).first();
  return { ...s, task, policy: checked.value, acc };
}

async function policyRow(direct: Settlement) {
  return suite.orm.em
    .fork()
    .findOneOrFail(PolicyVersion, { policy_id: direct.policy_id, version: direct.policy_version });
}

/**
 * Another stay of hers settled since the comparison (at another hospital): its settlement moved her
 * year's 统筹基金 paid to within `left` of the annual cap, and each other capped fund to within `otherLeft`.
 */
async function anotherStaySettled(
  s: Awaited<ReturnType<typeof underReview>>,
  left: number,
  otherLeft: number | null = null,
) {
  const p = s.policy;
  const update: Record<string, number> = { hifp_paid_ytd: p.fund.annual_cap - left };
  if (otherLeft !== null) {
    if (p.serious_illness) update.si_paid_ytd = p.serious_illness.annual_cap - otherLeft;
    if (p.civil_servant) update.cvlserv_paid_ytd = p.civil_servant.annual_cap - otherLeft;
    if (p.other_fund) update.oth_paid_ytd = p.other_fund.annual_cap - otherLeft;
    if (p.medical_assistance) update.maf_paid_ytd = p.medical_assistance.annual_cap - otherLeft;
  }
  await suite.orm.em
    .getKnex()('accumulator')
    .where(s.key)
    .update({ ...update, version: suite.orm.em.getKnex().raw('version + 1') });
}

async function approve(s: Awaited<ReturnType<typeof underReview>>) {
  const d: DecisionMessage = {
    decision_id: crypto.randomUUID(),
    task_id: s.task.id,
    decision: 'approve',
    reason: null,
    decided_by: 'staff-hi',
    decided_at: new Date().toISOString(),
  };
  await s.handle.executeUpdate(decideUpdate, { args: [d], updateId: d.decision_id });
  return s.handle.result();
}

/** 2305 as the stay runs it: the settlement child with op reverse. */
function reverse(setl_id: string) {
  const reversal = `${setl_id}R1`;
  return suite.worker.client.workflow.execute(settlementWorkflow, {
    workflowId: settlementWorkflowId(reversal),
    taskQueue: suite.worker.taskQueue,
    args: [
      { op: 'reverse', setl_id: reversal, original_setl_id: setl_id, setl_time: new Date().toISOString() },
    ],
  });
}

const texts = async (mdtrt_id: string) =>
  (
    await suite.orm.em.fork().find(CaseEvent, { case_id: mdtrt_id }, { orderBy: { at: 'asc', id: 'asc' } })
  ).map((e) => String(e.detail.text ?? e.kind));
const gapPairs = (setl_id: string, prefix: 'BC' | 'BR') =>
  suite.orm.em.fork().find(LedgerEntry, { setl_id: `${prefix}${setl_id}` }, { orderBy: { seq: 'asc' } });

test('a later stay left the 统筹基金 cap less than the gap asks of it: the payment pays what the cap leaves, says so, and a reversal takes back only that', async () => {
  const s = await underReview();
  const summary = s.task.summary as { gap: number };
  const assessed = summary.gap;
  // The gap's part per fund, as assessed (recomputed − direct, from the same accumulators).
  const assessment = await compensationActivities({ orm: suite.orm }).assessCompensation({
    setl_id: s.setl_id,
    appy_date: new Date().toISOString().slice(0, 10),
  });
  const hifpPart = assessment.accumulator_effect.hifp_paid_ytd;
  expect(hifpPart).toBeGreaterThan(123_456);
  const left = 123_456; // 1,234.56 left of the year's cap
  await anotherStaySettled(s, left);

  const view = await approve(s);
  const c = await suite.orm.em.fork().findOneOrFail(Compensation, { setl_id: s.setl_id });
  const effect = c.accumulator_effect as Record<string, number>;
  // The 统筹基金 part is cut to what its cap left.
  expect(effect.hifp_paid_ytd).toBe(left);
  const paid = c.paid_amount as number;
  // At least what the clamp alone pays (the gap less the 统筹 part the cap cut), at most the gap: what the
  // cap cut from 统筹 falls to the 大病 layer where the recomputation on the larger share pays it.
  expect(paid).toBeGreaterThanOrEqual(assessed - (hifpPart - left));
  expect(paid).toBeLessThan(assessed);
  // What it moved in the capped funds is what it paid.
  expect(
    ['hifp_paid_ytd', 'si_paid_ytd', 'cvlserv_paid_ytd', 'oth_paid_ytd', 'maf_paid_ytd'].reduce(
      (t, k) => t + (effect[k] ?? 0),
      0,
    ),
  ).toBe(paid);
  expect(view).toMatchObject({ status: 'PAID', gap: assessed, paid });
  expect(c.status).toBe('PAID');
  expect(c.gap).toBe(assessed);
  // The ledger pair is what was paid, not what was approved.
  expect((await gapPairs(s.setl_id, 'BC')).map((l) => [l.account, l.debit, l.credit])).toEqual([
    ['personal_cash', paid, 0],
    ['insured_fund_payable', 0, paid],
  ]);
  // The cap is reached to the fen, never passed.
  expect(Number((await s.acc()).hifp_paid_ytd)).toBe(s.policy.fund.annual_cap);
  // The explanation says which cap, of which policy, what it left.
  const step = c.steps.at(-1);
  expect(step).toMatchObject({ step: 'payment_cap', amount: paid, passed: true });
  expect(step?.rule).toContain('统筹基金年度最高支付限额');
  expect(step?.rule).toContain('尚余 1,234.56 元');
  expect(step?.rule).toContain(`第${s.policy.version}版`);
  expect(view.steps.at(-1)).toEqual(step);
  const paidText = (await texts(s.mdtrt_id)).at(-1);
  expect(paidText).toMatch(
    /^核定补差 [\d,]+\.\d{2} 元，受本年度统筹基金最高支付限额所限，实付待遇补差 [\d,]+\.\d{2} 元$/,
  );

  // 2305 of the settlement: only what was paid goes back, and the accumulators by what the payment moved.
  const accBefore = await s.acc();
  expect(await reverse(s.setl_id)).toMatchObject({ op: 'reverse' });
  expect((await gapPairs(s.setl_id, 'BR')).map((l) => [l.account, l.debit, l.credit])).toEqual([
    ['personal_cash', 0, paid],
    ['insured_fund_payable', paid, 0],
  ]);
  expect((await suite.orm.em.fork().findOneOrFail(Compensation, { setl_id: s.setl_id })).status).toBe(
    'RECOVERED',
  );
  // Back by the settlement's own effect and by what the payment moved (the cap's 1,234.56, not the gap's part).
  const accAfter = await s.acc();
  const own = s.direct.accumulators_after as unknown as Record<string, number>;
  const start = s.direct.accumulators_before as unknown as Record<string, number>;
  for (const [k, v] of Object.entries(effect)) {
    const settlementEffect = k === 'acct_balc' ? start[k]! - own[k]! : own[k]! - start[k]!;
    const back =
      k === 'acct_balc'
        ? Number(accAfter[k]) - Number(accBefore[k])
        : Number(accBefore[k]) - Number(accAfter[k]);
    expect([k, back]).toEqual([k, settlementEffect + v]);
  }
});

test('the caps leave nothing of the approved gap: CAP_EXHAUSTED, no ledger pair, accumulators untouched, the citizen told why', async () => {
  const s = await underReview();
  await anotherStaySettled(s, 0, 0);
  const before = await s.acc();
  const view = await approve(s);
  expect(view).toMatchObject({ status: 'CAP_EXHAUSTED', paid: 0 });
  const c = await suite.orm.em.fork().findOneOrFail(Compensation, { setl_id: s.setl_id });
  expect(c).toMatchObject({ status: 'CAP_EXHAUSTED', paid_amount: 0, paid_at: null });
  expect(c.steps.at(-1)).toMatchObject({ step: 'payment_cap', amount: 0, passed: false });
  expect(await gapPairs(s.setl_id, 'BC')).toEqual([]);
  expect(await s.acc()).toEqual(before);
  const last = (await texts(s.mdtrt_id)).at(-1);
  expect(last).toMatch(
    /^核定补差 [\d,]+\.\d{2} 元，受本年度.*最高支付限额所限已无可支付余额（本年其他结算或报销已用），本次未支付$/,
  );
  // The stay's reversal finds nothing paid to take back: no BR pair, the comparison stays as it ended.
  expect(await reverse(s.setl_id)).toMatchObject({ op: 'reverse' });
  expect(await gapPairs(s.setl_id, 'BR')).toEqual([]);
  expect((await suite.orm.em.fork().findOneOrFail(Compensation, { setl_id: s.setl_id })).status).toBe(
    'CAP_EXHAUSTED',
  );
});
