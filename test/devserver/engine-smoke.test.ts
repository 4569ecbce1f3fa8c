// Engine smoke checks against the real SDK, owned by the engine author: quick loops while developing.
import { Harness, uniq } from './env';
import { callActivity } from './workflows/activity-workflows';

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
