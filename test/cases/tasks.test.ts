import path from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import { HumanTask } from '../../db/entities';
import type { Orm } from '../../db/orm';
import { eventually } from '../support/eventually';
import { type CaseWorker, startTestPlatform, type TestPlatform } from '../support/platform';
import type { jointReviewWorkflow } from './workflows';

/** Tasks for many sides: one case holding a task per province, each acted on by its own province only. */
let p: TestPlatform;
let orm: Orm;
let w: CaseWorker;
let app: Express;

beforeAll(async () => {
  p = await startTestPlatform({
    temporal: 'local',
    workflowsPath: path.join(__dirname, 'workflows', 'index.ts'),
  });
  ({ orm, app, worker: w } = p);
}, 120_000);
afterAll(async () => {
  await p?.close();
});

const as = (username: string) => p.as(username);

test('a two-sided task: each province sees, claims and decides only its own side; the case gets both', async () => {
  const case_id = `joint-${Date.now()}`;
  const handle = await w.client.workflow.start<typeof jointReviewWorkflow>('jointReviewWorkflow', {
    workflowId: case_id,
    taskQueue: w.taskQueue,
    args: [{ case_id, provinces: ['340000', '460000'] }],
  });
  const tasks = await eventually(async () => {
    const rows = await orm.em.fork().find(HumanTask, { case_id }, { orderBy: { prov_admdvs: 'asc' } });
    return rows.length === 2 ? rows : undefined;
  });
  expect(tasks.map((t) => [t.prov_admdvs, t.role, t.kind, t.case_type])).toEqual([
    ['340000', 'staff', 'referral_review', 'filing'],
    ['460000', 'staff', 'referral_review', 'filing'],
  ]);
  const [ah, hi] = tasks as [HumanTask, HumanTask];
  const queue = async (username: string) =>
    (
      await request(app)
        .get('/api/v1/tasks')
        .set(await as(username))
        .expect(200)
    ).body.items.map((t: HumanTask) => t.id);
  expect(await queue('staff-ah')).toContain(ah.id);
  expect(await queue('staff-ah')).not.toContain(hi.id);
  expect(await queue('staff-hi')).toContain(hi.id);
  expect(await queue('staff-hi')).not.toContain(ah.id);

  // The other side's task does not exist for a province's staff.
  await request(app)
    .post(`/api/v1/tasks/${hi.id}/claim`)
    .set(await as('staff-ah'))
    .expect(404);
  for (const [task, user] of [
    [ah, 'staff-ah'],
    [hi, 'staff-hi'],
  ] as const) {
    await request(app)
      .post(`/api/v1/tasks/${task.id}/claim`)
      .set(await as(user))
      .expect(200);
  }
  await request(app)
    .post(`/api/v1/tasks/${ah.id}/decision`)
    .set(await as('staff-hi'))
    .send({ decision: 'approve' })
    .expect(404);
  await request(app)
    .post(`/api/v1/tasks/${ah.id}/decision`)
    .set(await as('staff-ah'))
    .send({ decision: 'approve' })
    .expect(200);
  await request(app)
    .post(`/api/v1/tasks/${hi.id}/decision`)
    .set(await as('staff-hi'))
    .send({ decision: 'reject', reason: '本省材料不全' })
    .expect(200);
  expect(await handle.result()).toEqual(['staff-ah:approve', 'staff-hi:reject']);
});
