// Histories as Temporal writes them: event ids, workflow task triplets, workflow task failure and
// retry, nondeterminism on replay, the worker cache with and without sticky execution, fixtures.
import fs from 'node:fs';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { eventually } from '../support/eventually';
import { eventTypes, Harness, HISTORIES_DIR, loadFixture, maybeRecordFixture, uniq } from './env';
import { callActivity } from './workflows/activity-workflows';
import {
  counter,
  divergesOnReplay,
  failUntilFixed,
  finish,
  fix,
  hello,
  increment,
  total,
} from './workflows/basics';
import { entity } from './workflows/messages';
import { sleepFor } from './workflows/timers';

const { EventType } = temporal.api.enums.v1;

let h: Harness;

beforeAll(async () => {
  h = await Harness.create('local');
});

afterAll(async () => {
  await h?.teardown();
});

test('a completed workflow has consecutive event ids and Scheduled/Started/Completed workflow task triplets', async () => {
  const handle = await h.client.workflow.start(hello, {
    taskQueue: h.taskQueue,
    workflowId: uniq('h'),
    args: ['x'],
  });
  await handle.result();
  const history = await h.keepHistory(handle);
  const events = history.events ?? [];
  expect(events.map((e) => Number(e.eventId))).toEqual(events.map((_e, i) => i + 1));
  expect(eventTypes(history)).toEqual([
    'WorkflowExecutionStarted',
    'WorkflowTaskScheduled',
    'WorkflowTaskStarted',
    'WorkflowTaskCompleted',
    'WorkflowExecutionCompleted',
  ]);
  const started = events[0]!.workflowExecutionStartedEventAttributes!;
  expect(started.workflowType?.name).toBe('hello');
  expect(started.taskQueue?.name).toBe(h.taskQueue);
  expect(started.originalExecutionRunId).toBe(handle.firstExecutionRunId);
  expect(events[2]!.workflowTaskStartedEventAttributes?.scheduledEventId).toEqual(events[1]!.eventId);
  const completed = events[3]!.workflowTaskCompletedEventAttributes!;
  expect(Number(completed.scheduledEventId)).toBe(2);
  expect(Number(completed.startedEventId)).toBe(3);
  const done = events[4]!.workflowExecutionCompletedEventAttributes!;
  expect(Number(done.workflowTaskCompletedEventId)).toBe(4);
  // Timestamps never go backwards.
  const times = events.map((e) => Number(e.eventTime?.seconds ?? 0) * 1e3 + (e.eventTime?.nanos ?? 0) / 1e6);
  expect([...times].sort((a, b) => a - b)).toEqual(times);
});

test('a signal between workflow tasks is recorded in order with its payload', async () => {
  const handle = await h.client.workflow.start(counter, { taskQueue: h.taskQueue, workflowId: uniq('sig') });
  await handle.signal(increment, 7);
  await handle.signal(finish);
  expect(await handle.result()).toBe(7);
  const history = await h.keepHistory(handle);
  const types = eventTypes(history);
  expect(types.filter((t) => t === 'WorkflowExecutionSignaled')).toHaveLength(2);
  const signaled = (history.events ?? []).filter(
    (e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
  );
  expect(signaled.map((e) => e.workflowExecutionSignaledEventAttributes?.signalName)).toEqual([
    'increment',
    'finish',
  ]);
  // Every WorkflowTaskStarted directly follows its WorkflowTaskScheduled, or a signal arrived in between.
  for (const e of history.events ?? []) {
    if (e.eventType !== EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED) continue;
    const scheduledId = Number(e.workflowTaskStartedEventAttributes?.scheduledEventId);
    const scheduled = history.events?.[scheduledId - 1];
    expect(scheduled?.eventType).toBe(EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED);
  }
});

test('a workflow task that throws is recorded as WorkflowTaskFailed and retried until it succeeds', async () => {
  // sdk-core reports only the first failed attempt and lets later ones time out, so a short task timeout
  // keeps the test quick (as it would be against Temporal).
  const handle = await h.client.workflow.start(failUntilFixed, {
    taskQueue: h.taskQueue,
    workflowId: uniq('wft'),
    workflowTaskTimeout: '1s',
  });
  const failed = await eventually(async () => {
    const history = await handle.fetchHistory();
    return (history.events ?? []).find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED);
  });
  expect(failed.workflowTaskFailedEventAttributes?.failure?.message).toContain('boom: not fixed yet');
  expect((await handle.describe()).status.name).toBe('RUNNING');
  await handle.signal(fix);
  expect(await handle.result()).toBe('fixed');
  const history = await h.keepHistory(handle);
  const types = eventTypes(history);
  expect(types).toContain('WorkflowTaskFailed');
  expect(types.at(-1)).toBe('WorkflowExecutionCompleted');
  expect(types.at(-2)).toBe('WorkflowTaskCompleted');
});

test('replaying a history against changed workflow code is a DeterminismViolationError', async () => {
  const handle = await h.client.workflow.start(divergesOnReplay, {
    taskQueue: h.taskQueue,
    workflowId: uniq('nd'),
  });
  expect(await handle.result()).toBe('done');
  const history = await handle.fetchHistory();
  expect(eventTypes(history)).toContain('TimerStarted');
  await expect(
    Worker.runReplayHistory({ workflowBundle: h.workflowBundle }, history, handle.workflowId),
  ).rejects.toBeInstanceOf(DeterminismViolationError);
});

describe('worker cache', () => {
  test.each([
    ['sticky (maxCachedWorkflows = 100)', 100],
    ['no cache (maxCachedWorkflows = 0), full history every task', 0],
  ])('many signals to one workflow: %s', async (_name, maxCachedWorkflows) => {
    const taskQueue = uniq(`cache-${maxCachedWorkflows}`);
    await h.startWorker({ taskQueue, maxCachedWorkflows });
    const handle = await h.client.workflow.start(counter, { taskQueue, workflowId: uniq('cache') });
    let expected = 0;
    for (let i = 1; i <= 30; i++) {
      expected += i;
      await handle.signal(increment, i);
      if (i % 10 === 0) expect(await handle.query(total)).toBe(expected);
    }
    await Promise.all([1, 2, 3].map((n) => handle.signal(increment, n)));
    expected += 6;
    await handle.signal(finish);
    expect(await handle.result()).toBe(expected);
    await h.keepHistory(handle);
  });
});

describe('history fixtures', () => {
  test('fixtures recorded from the devserver still replay', async () => {
    // Refresh with YIDI_RECORD_HISTORIES=1 when the workflows change on purpose.
    const hello1 = await h.client.workflow.start(hello, {
      taskQueue: h.taskQueue,
      workflowId: 'fixture-hello',
      args: ['fixture'],
    });
    await hello1.result();
    await maybeRecordFixture('hello', await hello1.fetchHistory());
    const ent = await h.client.workflow.start(entity, {
      taskQueue: h.taskQueue,
      workflowId: 'fixture-entity',
    });
    await ent.signal('addItem', 'a');
    await ent.executeUpdate('addAndCount', { args: ['b'] });
    await ent.signal('close');
    await ent.result();
    await maybeRecordFixture('entity', await ent.fetchHistory());
    const act = await h.client.workflow.start(callActivity, {
      taskQueue: h.taskQueue,
      workflowId: 'fixture-activity',
      args: [
        'flaky',
        [uniq('fixture'), 1],
        { startToCloseTimeout: '10s', retry: { initialInterval: '10ms' } },
      ],
    });
    await act.result();
    await maybeRecordFixture('activity-retried', await act.fetchHistory());
    const timer = await h.client.workflow.start(sleepFor, {
      taskQueue: h.taskQueue,
      workflowId: 'fixture-timer',
      args: [10],
    });
    await timer.result();
    await maybeRecordFixture('timer', await timer.fetchHistory());

    const files = fs.readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(0);
    const histories = await Promise.all(
      files.map(async (f) => ({ workflowId: f.replace(/\.json$/, ''), history: await loadFixture(f) })),
    );
    const failures: string[] = [];
    for await (const r of Worker.runReplayHistories({ workflowBundle: h.workflowBundle }, histories)) {
      if (r.error) failures.push(`${r.workflowId}: ${String(r.error)}`);
    }
    expect(failures).toEqual([]);
  });
});

test('every history of this file replays on a fresh worker', async () => {
  expect(h.histories.length).toBeGreaterThanOrEqual(5);
  expect(await h.replayKeptHistories()).toEqual([]);
});
