import { ScheduleOverlapPolicy } from '@temporalio/client';
import { ensureSchedules } from '../../bin/schedules';
import { CLEARING_SCHEDULE_ID, clearingWorkflowId } from '../../cases';
import type { Orm } from '../../db/orm';
import { previousCstMonth } from '../../settlement/clearing-statement';
import { migratedOrm } from '../support/db';
import { eventually } from '../support/eventually';
import { bundleCaseWorkflows, caseWorker } from '../support/temporal';

let orm: Orm;
let close: () => Promise<void>;
let w: Awaited<ReturnType<typeof caseWorker>>;

beforeAll(async () => {
  const db = await migratedOrm();
  orm = db.orm;
  close = db.close;
  w = await caseWorker(orm, 'local', await bundleCaseWorkflows());
}, 180_000);
afterAll(async () => {
  await w?.teardown();
  await close?.();
});

test('the monthly Schedule exists once ensured (twice is fine) and its trigger starts last month’s run', async () => {
  await ensureSchedules(w.client, w.taskQueue, () => undefined);
  await ensureSchedules(w.client, w.taskQueue, () => undefined);
  const handle = w.client.schedule.getHandle(CLEARING_SCHEDULE_ID);
  const d = await handle.describe();
  expect(d.spec.timezone).toBe('Asia/Shanghai');
  expect(d.spec.calendars?.[0]).toMatchObject({
    dayOfMonth: [{ start: 1, end: 1, step: 1 }],
    hour: [{ start: 2, end: 2, step: 1 }],
  });
  expect(d.action).toMatchObject({ type: 'startWorkflow', workflowType: 'clearingTriggerWorkflow' });
  const last = previousCstMonth(Date.now());
  await handle.trigger();
  const run = await eventually(async () => {
    try {
      return await w.client.workflow.getHandle(clearingWorkflowId(last)).describe();
    } catch {
      return undefined;
    }
  }, 30_000);
  expect(run.type).toBe('clearingWorkflow');
  // A second trigger (allowed to overlap the first) finds the month started: it starts nothing.
  await handle.trigger(ScheduleOverlapPolicy.ALLOW_ALL);
  const second = await eventually(async () => (await handle.describe()).info.recentActions[1], 30_000);
  const result = await w.client.workflow.getHandle(second.action.workflow.workflowId).result();
  expect(result).toEqual({ clr_month: last, started: false });
  const runs = [];
  for await (const e of w.client.workflow.list({ query: `WorkflowId = '${clearingWorkflowId(last)}'` }))
    runs.push(e);
  expect(runs).toHaveLength(1);
}, 60_000);
