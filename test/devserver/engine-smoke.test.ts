// Engine smoke checks against the real SDK, owned by the engine author: quick loops while developing.
import { Harness, uniq } from './env';
import { callActivity } from './workflows/activity-workflows';
import { addAndCount, close, entity, items } from './workflows/messages';

let h: Harness;

beforeAll(async () => {
  h = await Harness.create('time-skipping');
});

afterAll(async () => {
  await h?.teardown();
});

test('activity retry backoff skips on the virtual clock', async () => {
  const key = uniq('backoff');
  const wall = Date.now();
  const handle = await h.client.workflow.start(callActivity, {
    taskQueue: h.taskQueue,
    workflowId: uniq('smoke'),
    args: ['flaky', [key, 1], { startToCloseTimeout: '1 minute', retry: { initialInterval: '1 hour' } }],
  });
  await handle.result();
  expect(Date.now() - wall).toBeLessThan(5000);
});

test('update-with-start starts the workflow and answers the update from its first task', async () => {
  const workflowId = uniq('uws');
  const { WithStartWorkflowOperation } = await import('@temporalio/client');
  const op = new WithStartWorkflowOperation(entity, {
    workflowId,
    taskQueue: h.taskQueue,
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  const count = await h.client.workflow.executeUpdateWithStart(addAndCount, {
    args: ['a'],
    startWorkflowOperation: op,
  });
  expect(count).toBe(1);
  const handle = await op.workflowHandle();
  const again = await h.client.workflow.executeUpdateWithStart(addAndCount, {
    args: ['b'],
    startWorkflowOperation: new WithStartWorkflowOperation(entity, {
      workflowId,
      taskQueue: h.taskQueue,
      workflowIdConflictPolicy: 'USE_EXISTING',
    }),
  });
  expect(again).toBe(2);
  expect(await handle.query(items)).toEqual(['a', 'b']);
  await handle.signal(close);
  await handle.result();
});
