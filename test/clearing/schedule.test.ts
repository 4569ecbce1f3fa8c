import { ensureSchedules } from '../../bin/schedules';
import { CLEARING_SCHEDULE_ID, clearingWorkflowId } from '../../cases';
import { CLEARING_TRIGGER_WORKFLOW } from '../../cases/clearing';
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
  // The trigger run again (as a second schedule action would) finds the month started: it starts nothing.
  // Started by hand, not by a second `trigger()`: two actions in one second get one workflow id
  // (`clearing-trigger-<RFC 3339 second>`, as the server names them), and the second would not start.
  const result = await w.client.workflow.execute(CLEARING_TRIGGER_WORKFLOW, {
    workflowId: 'clearing-trigger-again',
    taskQueue: w.taskQueue,
    args: [],
  });
  expect(result).toEqual({ clr_month: last, started: false });
  const runs = [];
  for await (const e of w.client.workflow.list({ query: `WorkflowId = '${clearingWorkflowId(last)}'` }))
    runs.push(e);
  expect(runs).toHaveLength(1);
}, 60_000);
