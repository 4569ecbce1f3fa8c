// Time skipping (TestWorkflowEnvironment.createTimeSkipping, Java test server argv): days pass in
// milliseconds, the workflow's clock shows it, retry backoff follows the virtual clock.
import { msToTs } from '@temporalio/common/lib/time';
import { Harness, uniq } from './env';
import { callActivity } from './workflows/activity-workflows';
import {
  type Clock,
  cancelTimer,
  dayLongReminder,
  phase,
  release,
  sleepFor,
  waitForRelease,
} from './workflows/timers';

const DAY = 24 * 60 * 60 * 1000;

let h: Harness;

beforeAll(async () => {
  h = await Harness.create('time-skipping');
});

afterAll(async () => {
  await h?.teardown();
});

function start<A extends unknown[], R>(wf: (...args: A) => Promise<R>, args: A) {
  return h.client.workflow.start(wf, { taskQueue: h.taskQueue, workflowId: uniq(wf.name), args });
}

test('the environment supports time skipping and reports the virtual time', async () => {
  expect(h.env.supportsTimeSkipping).toBe(true);
  const now = await h.env.currentTimeMs();
  expect(Math.abs(now - Date.now())).toBeLessThan(DAY);
});

test("sleep('3 days') completes in seconds and the workflow clock moved three days", async () => {
  const wall = Date.now();
  const handle = await start(sleepFor, ['3 days']);
  const clock: Clock = await handle.result();
  expect(Date.now() - wall).toBeLessThan(5000);
  expect(clock.endedAt - clock.startedAt).toBeGreaterThanOrEqual(3 * DAY);
  expect(clock.endedAt - clock.startedAt).toBeLessThan(3 * DAY + 60_000);
  expect(await h.env.currentTimeMs()).toBeGreaterThanOrEqual(clock.endedAt);
  await h.keepHistory(handle);
});

test("condition(fn, '6 months') times out on the virtual clock", async () => {
  const wall = Date.now();
  const handle = await start(waitForRelease, ['180 days']);
  const out = await handle.result();
  expect(Date.now() - wall).toBeLessThan(5000);
  expect(out.released).toBe(false);
  expect(out.endedAt - out.startedAt).toBeGreaterThanOrEqual(180 * DAY);
  await h.keepHistory(handle);
});

test('a signal before the deadline wins over the timer', async () => {
  const handle = await start(waitForRelease, ['180 days']);
  await handle.signal(release);
  const out = await handle.result();
  expect(out.released).toBe(true);
  expect(out.endedAt - out.startedAt).toBeLessThan(DAY);
  await h.keepHistory(handle);
});

test('a timer cancelled through its CancellationScope is recorded as TimerCanceled', async () => {
  const handle = await start(cancelTimer, []);
  const out = await handle.result();
  expect(out.cancelled).toBe(true);
  expect(out.elapsedMs).toBeGreaterThanOrEqual(60 * 60 * 1000);
  expect(out.elapsedMs).toBeLessThan(DAY);
  const history = await h.keepHistory(handle);
  const types = (history.events ?? []).map((e) => e.timerCanceledEventAttributes?.timerId).filter(Boolean);
  expect(types).toHaveLength(1);
});

test("env.sleep('2 days') wakes a workflow sleeping a day", async () => {
  const handle = await start(dayLongReminder, []);
  expect(await handle.query(phase)).toBe('waiting');
  const before = await h.env.currentTimeMs();
  await h.env.sleep('2 days');
  expect(await h.env.currentTimeMs()).toBeGreaterThanOrEqual(before + 2 * DAY);
  expect(await handle.query(phase)).toBe('reminded');
  await handle.signal(release);
  expect(await handle.result()).toBe('reminded');
  await h.keepHistory(handle);
});

test('retry backoff is measured on the virtual clock', async () => {
  const key = uniq('backoff');
  const wall = Date.now();
  const handle = await start(callActivity, [
    'flaky',
    [key, 2],
    { startToCloseTimeout: '1 minute', retry: { initialInterval: '1 hour', backoffCoefficient: 2 } },
  ]);
  const out = (await handle.result()) as { result: number; elapsedMs: number };
  expect(Date.now() - wall).toBeLessThan(5000);
  expect(out.result).toBe(3);
  // 1 h after the first failure, 2 h after the second.
  expect(out.elapsedMs).toBeGreaterThanOrEqual(3 * 60 * 60 * 1000);
  const attempts = h.probe.attempts.get(key) ?? [];
  expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
  const gaps = attempts
    .slice(1)
    .map((a, i) => a.currentAttemptScheduledTime - attempts[i]!.currentAttemptScheduledTime);
  expect(gaps[0]).toBeGreaterThanOrEqual(60 * 60 * 1000);
  expect(gaps[1]).toBeGreaterThanOrEqual(2 * 60 * 60 * 1000);
  await h.keepHistory(handle);
});

test('every history of this file replays on a fresh worker', async () => {
  expect(h.histories.length).toBeGreaterThanOrEqual(6);
  expect(await h.replayKeptHistories()).toEqual([]);
});

test('UnlockTimeSkippingWithSleep at lock count 0 fails like an unbalanced unlock and leaves the count alone', async () => {
  const testService = h.env.connection.testService;
  if (!testService) throw new Error('time-skipping env has a test service');
  await testService.unlockTimeSkipping({}); // the env starts locked once: now 0
  try {
    await expect(testService.unlockTimeSkippingWithSleep({ duration: msToTs('1s') })).rejects.toMatchObject({
      code: 9, // FAILED_PRECONDITION
    });
  } finally {
    await testService.lockTimeSkipping({});
  }
  // Still exactly one lock: one unlock succeeds, a second one is unbalanced.
  await testService.unlockTimeSkipping({});
  await expect(testService.unlockTimeSkipping({})).rejects.toMatchObject({ code: 9 });
  await testService.lockTimeSkipping({});
});
