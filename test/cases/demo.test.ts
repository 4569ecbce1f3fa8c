import type { Express } from 'express';
import request from 'supertest';
import { DEMO_CASE_IDS, DEMO_CASES, demoCaseId, resetDemo, seedDemo } from '../../api/demo';
import { DEMO_TICKET_ID } from '../../api/demo-ticket';
import { CaseEvent, Filing, HumanTask, Referral, TaskDecision } from '../../db/entities';
import type { Orm } from '../../db/orm';
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
  };
}

test('the demo puts every state the screens show in front of 安徽 and 海南; seeding twice changes nothing; a reset recreates it once', async () => {
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
  ).toBe(1);

  const first = await counts();
  expect(first.demoFilings).toBe(DEMO_CASES.length);
  expect(await seedDemo(deps())).toEqual([]);
  expect(await counts()).toEqual(first);

  const again = await resetDemo(deps());
  expect(again).toEqual([...DEMO_CASE_IDS]);
  await settled();
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
