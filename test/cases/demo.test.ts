import type { Express } from 'express';
import request from 'supertest';
import { DEMO_CASE_IDS, DEMO_CASES, demoCaseId, resetDemo, seedDemo } from '../../api/demo';
import { DEMO_FEE_CHECK_REASON } from '../../api/demo-fee-check';
import { DEMO_STAY_PERSON } from '../../api/demo-stay';
import { DEMO_TICKET_ID } from '../../api/demo-ticket';
import type { FeeCheckBatchView, FeeCheckView, StaySummary, StayView } from '../../cases';
import {
  CaseEvent,
  FeeCheck,
  FeeCheckBatch,
  Filing,
  HumanTask,
  Referral,
  Stay,
  TaskDecision,
} from '../../db/entities';
import type { Orm } from '../../db/orm';
import { HAINAN_EXPECTED, HAINAN_PERSON } from '../../db/scenario-hainan';
import { eventually } from '../support/eventually';
import { type CaseWorker, startTestPlatform, type TestPlatform } from '../support/platform';

let p: TestPlatform;
let orm: Orm;
let w: CaseWorker;
let app: Express;
let logs: string[];
const deps = () => ({ orm, temporal: w.client, taskQueue: w.taskQueue, log: (m: string) => logs.push(m) });

beforeAll(async () => {
  // Real time, as in `npm start`: the backdated cases must lapse by their own submitted_at.
  p = await startTestPlatform({ temporal: 'local' });
  ({ orm, app, logs, worker: w } = p);
}, 120_000);
afterAll(async () => {
  await p?.close();
});

const login = (username: string) => p.login(username);
const tasksOf = async (username: string, query = '') => {
  const res = await request(app)
    .get(`/api/v1/tasks${query}`)
    .set('Authorization', `Bearer ${await login(username)}`)
    .expect(200);
  return res.body.items as { case_id: string; status: string; kind: string }[];
};

/** Every demo case in the state it is made for, as its rows (what the screens read) show it. */
async function settled(): Promise<void> {
  for (const c of DEMO_CASES) {
    const id = demoCaseId(c);
    await eventually(async () => {
      const em = orm.em.fork();
      const filing = await em.findOne(Filing, { id });
      if (filing?.status !== c.expect.status) return undefined;
      if (c.expect.referral) {
        const referral = await em.findOne(Referral, { filing_id: id });
        if (referral?.status !== c.expect.referral) return undefined;
      }
      if (c.expect.task && !(await em.findOne(HumanTask, { case_id: id, status: c.expect.task })))
        return undefined;
      return true;
    }, 30_000).catch((error: unknown) => {
      throw new Error(`${id} (${c.label}): ${String(error)}`);
    });
  }
}

const yuan = (fen: number) => (fen / 100).toFixed(2);

/**
 * The demo's settled stay, as fuhaiyan's 我的住院 and staff-hi's 待办 show it: settled with the seed
 * story's figures, its explanation (policy, steps, lines), and the gap waiting for 海南's review.
 */
async function settledStayOnScreen(): Promise<string> {
  const citizen = { Authorization: `Bearer ${await login(DEMO_STAY_PERSON.username)}` };
  const list = await request(app).get('/api/v1/stays').set(citizen).expect(200);
  const items = list.body.items as StaySummary[];
  expect(items).toHaveLength(1);
  const mdtrt_id = items[0]!.mdtrt_id;
  const review = await eventually(async () => {
    const tasks = await tasksOf('staff-hi', '?kind=compensation_review');
    return tasks.find((t) => t.status === 'open');
  }, 60_000);
  const view = (await request(app).get(`/api/v1/stays/${mdtrt_id}`).set(citizen).expect(200))
    .body as StayView;
  expect(view.status).toBe('SETTLED');
  const [settlement] = view.settlements;
  expect(settlement).toMatchObject({ status: 'SETTLED' });
  expect(yuan(settlement!.setlinfo.medfee_sumamt)).toBe(HAINAN_EXPECTED.medfee_sumamt);
  expect(yuan(settlement!.setlinfo.fund_pay_sumamt)).toBe(HAINAN_EXPECTED.fund_pay_sumamt);
  // The explanation of benefits: the policy version it was settled under and every step.
  expect(settlement!.policy).toMatchObject({ policy_id: expect.any(String) });
  expect(settlement!.setldetail.length).toBeGreaterThan(0);
  expect(view.fees.length).toBeGreaterThan(20);
  expect(view.compensation).toMatchObject({ status: 'UNDER_REVIEW', task_id: expect.any(String) });
  expect(yuan(view.compensation!.gap)).toBe(HAINAN_EXPECTED.gap);
  expect(review).toMatchObject({ kind: 'compensation_review', status: 'open' });
  // 王芳 is left without a stay: the counter's 演示 runs her story with its own figures.
  expect(await orm.em.fork().count(Stay, { psn_no: HAINAN_PERSON.psn_no })).toBe(0);
  return mdtrt_id;
}

/**
 * The demo's 费用协查 on that stay, as the two coordinators see it: 海南 requested it, its batch is frozen
 * and 四川 has the answer task, every line still unanswered. Returns the check's id.
 */
async function feeCheckOnScreen(mdtrt_id: string): Promise<string> {
  const as = async (username: string) => ({ Authorization: `Bearer ${await login(username)}` });
  const check = await eventually(async () => {
    const list = (
      await request(app)
        .get('/api/v1/fee-checks')
        .set(await as('coord-hi'))
        .expect(200)
    ).body as FeeCheckView[];
    const c = list.find((x) => x.mdtrt_id === mdtrt_id);
    return c?.status === 'BATCHED' ? c : undefined;
  }, 60_000);
  expect(yuan(check.medfee_sumamt)).toBe(HAINAN_EXPECTED.medfee_sumamt);
  expect(check).toMatchObject({
    insured_prov: '460000',
    treatment_prov: '510000',
    reason: DEMO_FEE_CHECK_REASON,
    requested_by: 'coord-hi',
    rolled_over: false,
    answer_due: expect.any(String),
  });
  expect(check.items.length).toBeGreaterThan(0);
  expect(check.items.every((i) => i.outcome === null)).toBe(true);
  const batch = (
    await request(app)
      .get(`/api/v1/fee-check-batches/${check.batch_id}`)
      .set(await as('coord-sc'))
      .expect(200)
  ).body as FeeCheckBatchView;
  expect(batch).toMatchObject({ status: 'FROZEN', frozen_at: expect.any(String) });
  expect(batch.checks.map((c) => c.check_id)).toEqual([check.check_id]);
  const answer = await eventually(async () => {
    const tasks = await tasksOf('coord-sc', '?kind=fee_check_answer');
    return tasks.find((t) => t.case_id === check.batch_id && t.status === 'open');
  }, 30_000);
  expect(answer).toBeDefined();
  // A third province's coordinator does not see it.
  await request(app)
    .get(`/api/v1/fee-checks/${check.check_id}`)
    .set(await as('coord-ah'))
    .expect(404);
  return check.check_id;
}

async function counts() {
  const em = orm.em.fork();
  const ids = [...DEMO_CASE_IDS];
  return {
    filings: await em.count(Filing, {}),
    referrals: await em.count(Referral, {}),
    tasks: await em.count(HumanTask, {}),
    decisions: await em.count(TaskDecision, {}),
    events: await em.count(CaseEvent, {}),
    demoFilings: await em.count(Filing, { id: { $in: ids } }),
    stays: await em.count(Stay, {}),
    feeChecks: await em.count(FeeCheck, {}),
    feeCheckBatches: await em.count(FeeCheckBatch, {}),
  };
}

test('the demo puts every state the screens show in front of 安徽 and 海南 (a settled stay with its 待遇补差 review too); seeding twice changes nothing; a reset recreates it once', async () => {
  const created = await seedDemo(deps());
  expect(created).toEqual([...DEMO_CASE_IDS]);
  await settled();

  // The coordinators' board holds the seed story's open ticket, for both provinces of the pair.
  for (const [username, side] of [
    ['coord-ah', 'insured'],
    ['coord-hi', 'treatment'],
  ] as const) {
    const board = (
      await request(app)
        .get('/api/v1/tickets')
        .set('Authorization', `Bearer ${await login(username)}`)
        .expect(200)
    ).body;
    expect(board.items).toEqual([
      expect.objectContaining({
        ticket_id: DEMO_TICKET_ID,
        status: 'OPEN',
        category: 'filing_missing',
        psn_name: '张*',
      }),
    ]);
    const page = (
      await request(app)
        .get(`/api/v1/tickets/${DEMO_TICKET_ID}`)
        .set('Authorization', `Bearer ${await login(username)}`)
        .expect(200)
    ).body;
    expect(page.viewer_side).toBe(side);
  }

  // 待办 of each province's staff holds a referral waiting for review; 督办 of each supervisor an escalated one.
  const zhangwei = 'filing-P34010000000001-demo-1';
  const wangfang = 'filing-P46000000000001-demo-4';
  expect(await tasksOf('staff-ah')).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ case_id: zhangwei, kind: 'referral_review', status: 'open' }),
    ]),
  );
  expect(await tasksOf('staff-hi')).toEqual(
    expect.arrayContaining([expect.objectContaining({ case_id: wangfang, status: 'open' })]),
  );
  expect((await tasksOf('super-ah')).map((t) => t.case_id)).toEqual(['filing-P34010000000002-demo-1']);
  expect((await tasksOf('super-hi')).map((t) => t.case_id)).toEqual(['filing-P46000000000001-demo-3']);
  // The more-info request was made by staff through the decision path, and the citizen sees it waiting.
  const asked = await orm.em.fork().findOneOrFail(TaskDecision, { case_id: 'filing-P34010000000001-demo-2' });
  expect(asked).toMatchObject({ decision: 'more_info', decided_by: 'staff-ah', outcome: 'accepted' });
  const detail = await request(app)
    .get('/api/v1/filings/filing-P34010000000001-demo-2')
    .set('Authorization', `Bearer ${await login('zhangwei')}`)
    .expect(200);
  expect(JSON.stringify(detail.body)).toContain('MORE_INFO');
  const statuses = Object.fromEntries(
    (await orm.em.fork().find(Filing, { id: { $in: [...DEMO_CASE_IDS] } })).map((f) => [f.id, f.status]),
  );
  expect(Object.values(statuses)).toEqual(expect.arrayContaining(['ACTIVE', 'REJECTED', 'EXPIRED']));
  expect(
    await orm.em.fork().count(Referral, { filing_id: { $in: [...DEMO_CASE_IDS] }, status: 'APPROVED' }),
  ).toBe(2);
  const stay = await settledStayOnScreen();
  const check = await feeCheckOnScreen(stay);

  const first = await counts();
  expect(first).toMatchObject({ feeChecks: 1, feeCheckBatches: 1 });
  expect(first.demoFilings).toBe(DEMO_CASES.length);
  expect(await seedDemo(deps())).toEqual([]);
  expect(await counts()).toEqual(first);

  const again = await resetDemo(deps());
  expect(again).toEqual([...DEMO_CASE_IDS]);
  await settled();
  // The stay too, afresh: a new mdtrt_id, settled again with its review open.
  const stayAgain = await settledStayOnScreen();
  expect(stayAgain).not.toBe(stay);
  // Its fee check too: one, on the new settlement, in a frozen batch again.
  expect(await feeCheckOnScreen(stayAgain)).not.toBe(check);
  // Recreated once: the same rows as the first seeding, and one submission per case on the timeline.
  // `settled` waits for the statuses; the last timeline events of a case may land just after its status.
  await eventually(async () => {
    expect(await counts()).toEqual(first);
    return true;
  });
  expect(
    await orm.em.fork().count(CaseEvent, { case_id: { $in: [...DEMO_CASE_IDS] }, kind: 'submitted' }),
  ).toBe(DEMO_CASES.length);
  expect(await seedDemo(deps())).toEqual([]);
}, 240_000);
