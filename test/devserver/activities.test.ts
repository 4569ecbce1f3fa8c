// Activities through the real worker: completion, retries, heartbeats, every timeout, cancellation,
// and asynchronous completion by task token and by id.
import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure, TimeoutFailure, TimeoutType } from '@temporalio/common';
import type { TokenReport } from './activities';
import { Harness, uniq } from './env';
import { callActivity, cancelActivity, cancelRunningActivity } from './workflows/activity-workflows';

let h: Harness;

beforeAll(async () => {
  h = await Harness.create('local');
});

afterAll(async () => {
  await h?.teardown();
});

type Outcome = { result: unknown; elapsedMs: number };

async function run(name: string, args: unknown[], options: Record<string, unknown>): Promise<Outcome> {
  const handle = await h.client.workflow.start(callActivity, {
    taskQueue: h.taskQueue,
    workflowId: uniq(name),
    args: [name as never, args, options],
  });
  try {
    return (await handle.result()) as Outcome;
  } finally {
    await h.keepHistory(handle);
  }
}

/** The failure chain the client sees when the activity fails the workflow. */
async function failureOf(
  name: string,
  args: unknown[],
  options: Record<string, unknown>,
): Promise<ActivityFailure> {
  const err = await run(name, args, options).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const cause = (err as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ActivityFailure);
  return cause as ActivityFailure;
}

test('an activity completes and its result reaches the workflow', async () => {
  const out = await run('greet', ['Wuhan'], { startToCloseTimeout: '10s' });
  expect(out.result).toBe('Hello, Wuhan!');
});

test('a failing activity is retried per the retry policy and the attempt count is visible to it', async () => {
  const key = uniq('flaky');
  const out = await run('flaky', [key, 2], {
    startToCloseTimeout: '10s',
    retry: { initialInterval: '10ms', backoffCoefficient: 1, maximumAttempts: 5 },
  });
  expect(out.result).toBe(3);
  expect(h.probe.attempts.get(key)?.map((a) => a.attempt)).toEqual([1, 2, 3]);
});

test('maximumAttempts bounds the retries and the last ApplicationFailure is the cause', async () => {
  const key = uniq('max');
  const failure = await failureOf('flaky', [key, 10, 'Transient'], {
    startToCloseTimeout: '10s',
    retry: { initialInterval: '10ms', backoffCoefficient: 1, maximumAttempts: 3 },
  });
  expect(h.probe.attempts.get(key)?.map((a) => a.attempt)).toEqual([1, 2, 3]);
  expect(failure.activityType).toBe('flaky');
  expect(failure.cause).toBeInstanceOf(ApplicationFailure);
  expect((failure.cause as ApplicationFailure).type).toBe('Transient');
  expect((failure.cause as ApplicationFailure).message).toBe('attempt 3');
});

test('nonRetryableErrorTypes stops retrying at the first such failure', async () => {
  const key = uniq('nonretryable');
  const failure = await failureOf('flaky', [key, 10, 'Rejected'], {
    startToCloseTimeout: '10s',
    retry: { initialInterval: '10ms', maximumAttempts: 5, nonRetryableErrorTypes: ['Rejected'] },
  });
  expect(h.probe.attempts.get(key)).toHaveLength(1);
  expect((failure.cause as ApplicationFailure).type).toBe('Rejected');
});

test('a retried attempt resumes from the last heartbeat details', async () => {
  const key = uniq('hb');
  const out = await run('countWithHeartbeats', [key, 6, 4], {
    startToCloseTimeout: '10s',
    heartbeatTimeout: '5s',
    retry: { initialInterval: '10ms', maximumAttempts: 3 },
  });
  expect(out.result).toEqual({ from: 4, attempt: 2 });
  expect(h.probe.attempts.get(key)?.map((a) => a.heartbeatDetails)).toEqual([undefined, 4]);
});

describe('timeouts reach the workflow as ActivityFailure with a TimeoutFailure of the right type', () => {
  const once = { maximumAttempts: 1 };

  test('start-to-close', async () => {
    const failure = await failureOf('hang', [uniq('stc'), 3000], {
      startToCloseTimeout: '300ms',
      retry: once,
    });
    expect(failure.cause).toBeInstanceOf(TimeoutFailure);
    expect((failure.cause as TimeoutFailure).timeoutType).toBe(TimeoutType.START_TO_CLOSE);
  });

  test('schedule-to-close (covers the retries too)', async () => {
    const key = uniq('s2c');
    const failure = await failureOf('hang', [key, 3000], {
      scheduleToCloseTimeout: '500ms',
      startToCloseTimeout: '200ms',
      retry: { initialInterval: '10ms', backoffCoefficient: 1 },
    });
    expect(failure.cause).toBeInstanceOf(TimeoutFailure);
    expect((failure.cause as TimeoutFailure).timeoutType).toBe(TimeoutType.SCHEDULE_TO_CLOSE);
    expect(h.probe.attempts.get(key)?.length).toBeGreaterThanOrEqual(2);
  });

  test('schedule-to-start (no worker polls the queue)', async () => {
    const failure = await failureOf('greet', ['nobody'], {
      taskQueue: uniq('unpolled'),
      scheduleToStartTimeout: '300ms',
      startToCloseTimeout: '10s',
    });
    expect(failure.cause).toBeInstanceOf(TimeoutFailure);
    expect((failure.cause as TimeoutFailure).timeoutType).toBe(TimeoutType.SCHEDULE_TO_START);
  });

  test('heartbeat', async () => {
    const failure = await failureOf('heartbeatOnceThenStall', [uniq('hbt'), 3000], {
      startToCloseTimeout: '10s',
      heartbeatTimeout: '300ms',
      retry: once,
    });
    expect(failure.cause).toBeInstanceOf(TimeoutFailure);
    expect((failure.cause as TimeoutFailure).timeoutType).toBe(TimeoutType.HEARTBEAT);
    expect((failure.cause as TimeoutFailure).lastHeartbeatDetails).toBe('alive');
  });
});

test('cancelling a running activity delivers CancelledFailure to it', async () => {
  const key = uniq('cancel');
  const started = h.probe.next<string>(`started:${key}`);
  const cancelled = h.probe.next<Error>(`cancelled:${key}`);
  const handle = await h.client.workflow.start(cancelRunningActivity, {
    taskQueue: h.taskQueue,
    workflowId: uniq('cancel-wf'),
    args: [key],
  });
  await started;
  await handle.signal(cancelActivity);
  const seen = await cancelled;
  expect(seen.name).toBe('CancelledFailure');
  expect(await handle.result()).toBe('activity cancelled');
  await h.keepHistory(handle);
});

describe('asynchronous completion', () => {
  test('by task token', async () => {
    const key = uniq('token');
    const token = h.probe.next<TokenReport>(`token:${key}`);
    const handle = await h.client.workflow.start(callActivity, {
      taskQueue: h.taskQueue,
      workflowId: uniq('async-token'),
      args: ['completeLater', [key], { startToCloseTimeout: '30s' }],
    });
    const { taskToken } = await token;
    await h.client.activity.complete(taskToken, 'completed by token');
    expect(((await handle.result()) as Outcome).result).toBe('completed by token');
    await h.keepHistory(handle);
  });

  test('by workflow id and activity id, and a failure by token', async () => {
    const key = uniq('byid');
    const token = h.probe.next<TokenReport>(`token:${key}`);
    const handle = await h.client.workflow.start(callActivity, {
      taskQueue: h.taskQueue,
      workflowId: uniq('async-id'),
      args: ['completeLater', [key], { startToCloseTimeout: '30s' }],
    });
    const { workflowId, activityId } = await token;
    await h.client.activity.heartbeat({ workflowId, activityId }, 'progress');
    await h.client.activity.complete({ workflowId, activityId }, 'completed by id');
    expect(((await handle.result()) as Outcome).result).toBe('completed by id');
    await h.keepHistory(handle);

    const key2 = uniq('fail');
    const token2 = h.probe.next<TokenReport>(`token:${key2}`);
    const failing = await h.client.workflow.start(callActivity, {
      taskQueue: h.taskQueue,
      workflowId: uniq('async-fail'),
      args: ['completeLater', [key2], { startToCloseTimeout: '30s', retry: { maximumAttempts: 1 } }],
    });
    await h.client.activity.fail(
      (await token2).taskToken,
      ApplicationFailure.create({ message: 'declined', type: 'Declined' }),
    );
    const err = await failing.result().catch((e: unknown) => e);
    expect(((err as WorkflowFailedError).cause as ActivityFailure).cause).toBeInstanceOf(ApplicationFailure);
    expect((((err as WorkflowFailedError).cause as ActivityFailure).cause as ApplicationFailure).type).toBe(
      'Declined',
    );
    await h.keepHistory(failing);
  });
});

test('every history of this file replays on a fresh worker', async () => {
  expect(h.histories.length).toBeGreaterThan(8);
  expect(await h.replayKeptHistories()).toEqual([]);
});
