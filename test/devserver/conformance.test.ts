// Issue 14: what Temporal's own SDK integration tests found the devserver doing differently from the real
// server, one test per bug, through the real SDK (client, worker, sdk-core) against bin/yidi-devserver.
import { status as grpcStatus } from '@grpc/grpc-js';
import * as activity from '@temporalio/activity';
import {
  ActivityNotFoundError,
  Client,
  Connection,
  isGrpcServiceError,
  NamespaceNotFoundError,
  WithStartWorkflowOperation,
  WorkflowFailedError,
  WorkflowUpdateFailedError,
  WorkflowUpdateStage,
} from '@temporalio/client';
import {
  ActivityFailure,
  ApplicationFailure,
  defaultPayloadConverter,
  defineSearchAttributeKey,
  RetryState,
  SearchAttributeType,
  TypedSearchAttributes,
} from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import Long from 'long';
import { eventually } from '../support/eventually';
import { eventTypes, Harness, uniq } from './env';
import { callActivity } from './workflows/activity-workflows';
import { finish, hello, waitForFinish } from './workflows/basics';
import {
  buildIdNow,
  buildIdReporter,
  callsActivityNamed,
  callsHeartbeatingActivity,
  closesUnderUpdates,
  drawsAroundLetGo,
  greetsWithLongName,
  historySizes,
  letGo,
  markSeen,
  neverFinishes,
  reportRoot,
  returnsLongString,
  returnsWhatUpdatesDid,
  untilContinueAsNewSuggested,
  withSummaries,
} from './workflows/conformance';
import { addItem, close, entity, items } from './workflows/messages';

const ET = temporal.api.enums.v1.EventType;
const STAGE = temporal.api.enums.v1.UpdateWorkflowExecutionLifecycleStage;
// A name with a dash: sdk-core passes such names as `--search-attribute due-date=Datetime` (bug 12).
const dueDate = defineSearchAttributeKey('due-date', SearchAttributeType.DATETIME);
const SUGGEST_AFTER_EVENTS = 60;

let h: Harness;

beforeAll(async () => {
  h = await Harness.create('local', {
    searchAttributes: [dueDate],
    extraArgs: ['--dynamic-config-value', `limit.historyCount.suggestContinueAsNew=${SUGGEST_AFTER_EVENTS}`],
  });
});

afterAll(async () => {
  await h?.teardown();
});

function start<A extends unknown[], R>(
  wf: (...args: A) => Promise<R>,
  args: A,
  options: { taskQueue?: string; workflowId?: string; startDelay?: '10000 days' } = {},
) {
  return h.client.workflow.start(wf, {
    taskQueue: options.taskQueue ?? h.taskQueue,
    workflowId: options.workflowId ?? uniq(wf.name),
    args,
    ...(options.startDelay ? { startDelay: options.startDelay } : {}),
  });
}

function decode(payload: temporal.api.common.v1.IPayload | null | undefined): unknown {
  return payload ? defaultPayloadConverter.fromPayload(payload) : undefined;
}

test('1, 12: a Datetime search attribute (named with a dash) comes back from Describe as a date', async () => {
  const due = new Date('2026-12-31T08:00:00.000Z');
  const handle = await h.client.workflow.start(waitForFinish, {
    taskQueue: h.taskQueue,
    workflowId: uniq('due'),
    searchAttributes: { 'due-date': [due] },
  });
  const desc = await handle.describe();
  expect(desc.searchAttributes['due-date']).toEqual([due]);
  expect(desc.typedSearchAttributes.get(dueDate)).toEqual(due);
  await handle.signal(finish);
  await handle.result();
  const history = await h.keepHistory(handle);
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  const type = started?.searchAttributes?.indexedFields?.['due-date']?.metadata?.type;
  expect(Buffer.from(type ?? []).toString()).toBe('Datetime');
});

test('2: history size grows with each workflow task and Describe shows it', async () => {
  const handle = await start(historySizes, []);
  const [before, after] = await handle.result();
  expect(before).toBeGreaterThan(100);
  expect(after).toBeGreaterThan(before);
  expect((await handle.describe()).historySize).toBeGreaterThanOrEqual(after);
  await h.keepHistory(handle);
});

test('3: continue-as-new is suggested once the history reaches limit.historyCount.suggestContinueAsNew', async () => {
  const handle = await start(untilContinueAsNewSuggested, []);
  const { suggested, historyLength } = await handle.result();
  expect(suggested).toBe(true);
  expect(historyLength).toBeGreaterThanOrEqual(SUGGEST_AFTER_EVENTS);
  expect(historyLength).toBeLessThan(SUGGEST_AFTER_EVENTS + 10);
  await h.keepHistory(handle);
});

test('4: a non-retryable activity failure on its only allowed attempt says NON_RETRYABLE_FAILURE', async () => {
  const key = uniq('doomed');
  const handle = await start(callActivity, [
    'flaky',
    [key, 5, 'Doomed'],
    { startToCloseTimeout: '10 seconds', retry: { maximumAttempts: 1, nonRetryableErrorTypes: ['Doomed'] } },
  ]);
  const err = await handle.result().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const cause = (err as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ActivityFailure);
  expect((cause as ActivityFailure).retryState).toBe(RetryState.NON_RETRYABLE_FAILURE);
  await h.keepHistory(handle);
});

test('5: signal-with-start with TERMINATE_EXISTING ends the running run and starts a new one with the signal', async () => {
  const workflowId = uniq('sws-terminate');
  const first = await h.client.workflow.signalWithStart(entity, {
    taskQueue: h.taskQueue,
    workflowId,
    signal: addItem,
    signalArgs: ['first'],
  });
  const second = await h.client.workflow.signalWithStart(entity, {
    taskQueue: h.taskQueue,
    workflowId,
    signal: addItem,
    signalArgs: ['second'],
    workflowIdConflictPolicy: 'TERMINATE_EXISTING',
  });
  expect(second.signaledRunId).not.toBe(first.signaledRunId);
  const firstRun = h.client.workflow.getHandle(workflowId, first.signaledRunId);
  expect((await firstRun.describe()).status.name).toBe('TERMINATED');
  expect(await second.query(items)).toEqual(['second']);
  await second.terminate('done');
});

test('6, 7: accepted updates fail when their workflow completes; a poll without wait policy answers at once', async () => {
  const handle = await start(closesUnderUpdates, []);
  const accepted = await handle.startUpdate(neverFinishes, {
    waitForStage: WorkflowUpdateStage.ACCEPTED,
    updateId: 'a',
  });
  const waiting = handle.executeUpdate(neverFinishes, { updateId: 'b' }).catch((e: unknown) => e);
  // No wait policy: the server says the stage it is at and does not wait for completion.
  await eventually(async () => {
    const res = await h.client.workflowService.pollWorkflowExecutionUpdate({
      namespace: 'default',
      updateRef: { workflowExecution: { workflowId: handle.workflowId }, updateId: 'b' },
    });
    return res.stage === STAGE.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED ? true : undefined;
  });
  await handle.signal(letGo);
  await handle.result();
  for (const err of [await accepted.result().catch((e: unknown) => e), await waiting]) {
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    const cause = (err as WorkflowUpdateFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).type).toBe('AcceptedUpdateCompletedWorkflow');
    expect((cause as ApplicationFailure).message).toMatch(/Workflow completed before the Update completed/);
  }
  await h.keepHistory(handle);
});

test('7: an update to a workflow still in its start delay runs in the first workflow task, at once', async () => {
  const handle = await start(returnsWhatUpdatesDid, [], { startDelay: '10000 days' });
  await handle.executeUpdate(markSeen);
  expect(await handle.result()).toBe('seen by update');
  await h.keepHistory(handle);
});

test('8: an 11th in-flight update is RESOURCE_EXHAUSTED; a 1,001-character workflow id is INVALID_ARGUMENT', async () => {
  const handle = await start(closesUnderUpdates, []);
  const updates = [];
  for (let i = 0; i < 10; i++) {
    updates.push(
      await handle.startUpdate(neverFinishes, {
        waitForStage: WorkflowUpdateStage.ACCEPTED,
        updateId: `u${i}`,
      }),
    );
  }
  // Without the client's retries (it retries RESOURCE_EXHAUSTED), to see the server's answer itself.
  const raw = await Connection.connect({ address: h.env.address, interceptors: [] });
  try {
    const err = await raw.workflowService
      .updateWorkflowExecution({
        namespace: 'default',
        workflowExecution: { workflowId: handle.workflowId },
        request: { meta: { updateId: 'u10' }, input: { name: 'neverFinishes' } },
        waitPolicy: { lifecycleStage: STAGE.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED },
      })
      .catch((e: unknown) => e);
    expect(isGrpcServiceError(err) && err.code).toBe(grpcStatus.RESOURCE_EXHAUSTED);
  } finally {
    await raw.close();
  }
  await handle.signal(letGo);
  await handle.result();
  await Promise.all(updates.map((u) => u.result().catch(() => undefined)));

  const tooLong = 'x'.repeat(1001);
  const startErr = await start(hello, ['x'], { workflowId: tooLong }).catch((e: unknown) => e);
  // The client wraps the gRPC error of a start in its own ServiceError.
  const startCause = (startErr as Error).cause;
  expect(isGrpcServiceError(startCause) && startCause.code).toBe(grpcStatus.INVALID_ARGUMENT);
  expect(String(startCause)).toMatch(/WorkflowId.*length/i);
  const op = new WithStartWorkflowOperation(closesUnderUpdates, {
    workflowId: tooLong,
    taskQueue: h.taskQueue,
    workflowIdConflictPolicy: 'FAIL',
  });
  const uwsErr = await h.client.workflow
    .startUpdateWithStart(neverFinishes, {
      waitForStage: WorkflowUpdateStage.ACCEPTED,
      startWorkflowOperation: op,
    })
    .catch((e: unknown) => e);
  expect(isGrpcServiceError(uwsErr) && uwsErr.code).toBe(grpcStatus.INVALID_ARGUMENT);
  await expect(op.workflowHandle()).rejects.toThrow(/WorkflowId.*length/i);
});

test('10: a child and a grandchild see the top run as their root; Describe shows it', async () => {
  const handle = await start(reportRoot, [2]);
  const top = `${handle.workflowId}/${handle.firstExecutionRunId}`;
  expect(await handle.result()).toEqual([null, top, top]);
  const grandchild = await h.client.workflow.getHandle(`${handle.workflowId}-c-c`).describe();
  expect(grandchild.raw.workflowExecutionInfo?.rootExecution).toMatchObject({
    workflowId: handle.workflowId,
    runId: handle.firstExecutionRunId,
  });
  await h.keepHistory(handle);
});

test('11: summaries of a timer, an activity and a child are in the history and in the child Describe', async () => {
  const handle = await start(withSummaries, []);
  await handle.result();
  const history = await h.keepHistory(handle);
  const summaryOf = (type: temporal.api.enums.v1.EventType) =>
    decode(history.events?.find((e) => e.eventType === type)?.userMetadata?.summary);
  expect(summaryOf(ET.EVENT_TYPE_TIMER_STARTED)).toBe('timer summary');
  expect(summaryOf(ET.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)).toBe('activity summary');
  expect(summaryOf(ET.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED)).toBe('child summary');
  const child = await h.client.workflow.getHandle(`${handle.workflowId}-child`).describe();
  expect(await child.staticSummary()).toBe('child summary');
  expect(await child.staticDetails()).toBe('child details');
  const childHistory = await h.client.workflow.getHandle(`${handle.workflowId}-child`).fetchHistory();
  expect(decode(childHistory.events?.[0]?.userMetadata?.summary)).toBe('child summary');
});

test('13: the build id is in BuildIds, and a new worker replaying the history sees the old one', async () => {
  const taskQueue = uniq('build-ids');
  const first = await h.startWorker({ taskQueue, buildId: 'yidi-1.0' });
  const handle = await start(buildIdReporter, [], { taskQueue });
  expect(await handle.query(buildIdNow)).toBe('yidi-1.0');
  const buildIds = (await handle.describe()).searchAttributes.BuildIds;
  expect(buildIds).toEqual(expect.arrayContaining(['unversioned', 'unversioned:yidi-1.0']));

  first.shutdown();
  await eventually(async () => (first.getState() === 'STOPPED' ? true : undefined));
  await h.client.workflowService.resetStickyTaskQueue({
    namespace: 'default',
    execution: { workflowId: handle.workflowId },
  });
  await h.startWorker({ taskQueue, buildId: 'yidi-1.1' });
  expect(await handle.query(buildIdNow)).toBe('yidi-1.0');
  await handle.signal(letGo);
  expect(await handle.result()).toBe('yidi-1.1');
  expect((await handle.describe()).searchAttributes.BuildIds).toEqual(
    expect.arrayContaining(['unversioned:yidi-1.0', 'unversioned:yidi-1.1']),
  );
});

test('14: COUNT … GROUP BY ExecutionStatus lists groups in status order (Running before Completed)', async () => {
  const taskQueue = uniq('count');
  await h.startWorker({ taskQueue });
  const running = [
    await start(waitForFinish, [], { taskQueue }),
    await start(waitForFinish, [], { taskQueue }),
  ];
  for (let i = 0; i < 3; i++) await (await start(hello, [`n${i}`], { taskQueue })).result();
  const counted = await h.client.workflow.count(`TaskQueue = '${taskQueue}' GROUP BY ExecutionStatus`);
  expect(counted).toEqual({
    count: 5,
    groups: [
      { count: 2, groupValues: [['Running']] },
      { count: 3, groupValues: [['Completed']] },
    ],
  });
  for (const r of running) await r.terminate('counted');
});

test("15: a well-formed task token (the real server's format) for a missing activity is NOT_FOUND", async () => {
  const { namespaceInfo } = await h.client.workflowService.describeNamespace({ namespace: 'default' });
  const field = (n: number, s: string) => [(n << 3) | 2, s.length, ...Buffer.from(s)];
  const token = new Uint8Array([
    ...field(1, namespaceInfo?.id ?? ''),
    ...field(2, uniq('missing-workflow')),
    ...field(3, '33fe12c8-be49-41a2-8abd-1765496ede9e'),
    ...[4 << 3, 5, 5 << 3, 1],
    ...field(6, '1'),
  ]);
  await expect(h.client.activity.complete(token, 'late')).rejects.toBeInstanceOf(ActivityNotFoundError);
  await expect(h.client.activity.heartbeat(token)).rejects.toBeInstanceOf(ActivityNotFoundError);
});

test('16: Describe leaves the run and execution timeouts unset when the start gave none', async () => {
  const none = await start(waitForFinish, []);
  const config = (await none.describe()).raw.executionConfig;
  expect(config?.workflowRunTimeout).toBeNull();
  expect(config?.workflowExecutionTimeout).toBeNull();
  const timed = await h.client.workflow.start(waitForFinish, {
    taskQueue: h.taskQueue,
    workflowId: uniq('timed'),
    workflowRunTimeout: '1 hour',
  });
  expect(Number((await timed.describe()).raw.executionConfig?.workflowRunTimeout?.seconds)).toBe(3600);
  for (const handle of [none, timed]) await handle.signal(finish);
  await Promise.all([none.result(), timed.result()]);
});

test("17: a schedule's search attributes and its workflow's come back typed; a cron's every year is no range", async () => {
  const due = new Date('2026-12-31T08:00:00.000Z');
  const handle = await h.client.schedule.create({
    scheduleId: uniq('typed-schedule'),
    spec: { cronExpressions: ['0 12 * * MON-WED,FRI'] },
    action: {
      type: 'startWorkflow',
      workflowType: waitForFinish,
      taskQueue: h.taskQueue,
      searchAttributes: { 'due-date': [due] },
    },
    searchAttributes: { 'due-date': [due] },
    state: { paused: true },
  });
  try {
    const desc = await handle.describe();
    expect(desc.searchAttributes['due-date']).toEqual([due]);
    expect(desc.typedSearchAttributes.get(dueDate)).toEqual(due);
    if (desc.action.type !== 'startWorkflow') throw new Error(`unexpected action ${desc.action.type}`);
    expect(desc.action.typedSearchAttributes).toEqual(
      new TypedSearchAttributes([{ key: dueDate, value: due }]),
    );
    expect(desc.spec.calendars?.[0]?.year).toEqual([]);
    expect(desc.spec.calendars?.[0]?.hour).toEqual([{ start: 12, end: 12, step: 1 }]);
  } finally {
    await handle.delete();
  }
});

test('18: a bad task token on an unknown namespace is NamespaceNotFound, before the token is read', async () => {
  const elsewhere = new Client({ connection: h.client.connection, namespace: uniq('no-such-namespace') });
  await expect(elsewhere.activity.complete(new Uint8Array([1]), 'late')).rejects.toBeInstanceOf(
    NamespaceNotFoundError,
  );
});

test("19: ShutdownWorker answers that worker's parked polls empty; another worker's poll still gets the task", async () => {
  const service = h.client.workflowService;
  const taskQueue = uniq('shutdown');
  const poll = (workerInstanceKey: string) =>
    service.pollWorkflowTaskQueue({
      namespace: 'default',
      taskQueue: { name: taskQueue },
      identity: workerInstanceKey,
      workerInstanceKey,
    });
  const leaving = poll('leaving');
  const staying = poll('staying');
  await eventually(async () => {
    const { pollers } = await service.describeTaskQueue({
      namespace: 'default',
      taskQueue: { name: taskQueue },
    });
    expect(pollers?.map((p) => p.identity).sort()).toEqual(['leaving', 'staying']);
    return true;
  });
  await service.shutdownWorker({
    namespace: 'default',
    identity: 'leaving',
    workerInstanceKey: 'leaving',
    taskQueue,
    taskQueueTypes: [temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW],
  });
  expect((await leaving).taskToken?.length ?? 0).toBe(0);
  const handle = await start(waitForFinish, [], { taskQueue });
  const task = await staying;
  expect(task.workflowExecution?.workflowId).toBe(handle.workflowId);
  await handle.terminate('polled by hand');
});

describe('time skipping', () => {
  let ts: Harness;

  beforeAll(async () => {
    ts = await Harness.create('time-skipping');
  });

  afterAll(async () => {
    await ts?.teardown();
  });

  test('9: an activity that sleeps through testEnv.sleep holds time until it unlocks, then a day passes', async () => {
    let attempts = 0;
    const taskQueue = uniq('ts-activity');
    await ts.startWorker({
      taskQueue,
      activities: {
        async sleepsInTestEnv(): Promise<number> {
          attempts++;
          const before = await ts.env.currentTimeMs();
          await ts.env.sleep('1 day');
          return (await ts.env.currentTimeMs()) - before;
        },
      },
    });
    const handle = await ts.client.workflow.start(callsActivityNamed, {
      taskQueue,
      workflowId: uniq('ts-activity'),
      args: ['sleepsInTestEnv', []],
    });
    const skipped = (await handle.result()) as number;
    expect(skipped).toBeGreaterThanOrEqual(24 * 60 * 60 * 1000);
    expect(attempts).toBe(1);
  });
});

describe('payload size limits (limit.blobSize.*)', () => {
  const ERROR_LIMIT = 10 * 1024;
  let limited: Harness;

  beforeAll(async () => {
    limited = await Harness.create('local', {
      extraArgs: [
        '--dynamic-config-value',
        `limit.blobSize.error=${ERROR_LIMIT}`,
        '--dynamic-config-value',
        `limit.blobSize.warn=${2 * 1024}`,
      ],
    });
  });

  afterAll(async () => {
    await limited?.teardown();
  });

  function failedCauses(history: temporal.api.history.v1.IHistory) {
    return (history.events ?? [])
      .filter((e) => e.eventType === ET.EVENT_TYPE_WORKFLOW_TASK_FAILED)
      .map((e) => e.workflowTaskFailedEventAttributes?.cause);
  }

  test('a start whose input is over the limit is INVALID_ARGUMENT', async () => {
    const err = await limited.client.workflow
      .start(hello, {
        taskQueue: limited.taskQueue,
        workflowId: uniq('big'),
        args: ['x'.repeat(ERROR_LIMIT + 1024)],
      })
      .catch((e: unknown) => e);
    const cause = (err as Error).cause;
    expect(isGrpcServiceError(cause) && cause.code).toBe(grpcStatus.INVALID_ARGUMENT);
    expect(String(cause)).toMatch(/size exceeds limit/);
  });

  test('sdk-core learns the limit from the namespace and fails an oversized result itself', async () => {
    const handle = await limited.client.workflow.start(returnsLongString, {
      taskQueue: limited.taskQueue,
      workflowId: uniq('big-result'),
      args: [ERROR_LIMIT + 1024],
      workflowExecutionTimeout: '3 seconds',
    });
    await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    expect(failedCauses(await handle.fetchHistory())).toContain(
      temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_PAYLOADS_TOO_LARGE,
    );
  });

  test('an oversized activity input that reaches the server fails the workflow task and the workflow', async () => {
    const taskQueue = uniq('optout');
    await limited.startWorker({ taskQueue, disablePayloadErrorLimit: true });
    const handle = await limited.client.workflow.start(greetsWithLongName, {
      taskQueue,
      workflowId: uniq('big-input'),
      args: [ERROR_LIMIT + 1024],
    });
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(String((err as WorkflowFailedError).cause?.message)).toMatch(
      /ScheduleActivityTaskCommandAttributes.Input exceeds size limit/,
    );
    // Not replayable, on the real server either: the server failed the run, no workflow command did.
    const history = await handle.fetchHistory();
    expect(failedCauses(history)).toEqual([
      temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_PAYLOADS_TOO_LARGE,
    ]);
    expect(eventTypes(history).slice(-2)).toEqual(['WorkflowTaskFailed', 'WorkflowExecutionFailed']);
  });
});

describe('ResetWorkflowExecution', () => {
  /** Event id of the n-th WorkflowTaskCompleted of a run (1: the usual "reset to first task"). */
  async function taskCompleted(workflowId: string, runId: string, n = 1): Promise<number> {
    const history = await h.client.workflow.getHandle(workflowId, runId).fetchHistory();
    const evs = history.events?.filter((e) => e.eventType === ET.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) ?? [];
    return Number(evs[n - 1]?.eventId);
  }

  async function reset(workflowId: string, runId: string, eventId: number, requestId = uniq('reset')) {
    return h.client.workflowService.resetWorkflowExecution({
      namespace: 'default',
      workflowExecution: { workflowId, runId },
      workflowTaskFinishEventId: Long.fromNumber(eventId),
      reason: 'operator: unstick case',
      requestId,
      identity: 'conformance-test',
    });
  }

  test('a running workflow reset to its first task: the old run is terminated, signals are applied again', async () => {
    const handle = await h.client.workflow.start(entity, {
      taskQueue: h.taskQueue,
      workflowId: uniq('reset'),
    });
    await handle.signal(addItem, 'a');
    await handle.signal(addItem, 'b');
    expect(await handle.query(items)).toEqual(['a', 'b']);
    const point = await taskCompleted(handle.workflowId, handle.firstExecutionRunId);
    const requestId = uniq('reset-request');
    const { runId } = await reset(handle.workflowId, handle.firstExecutionRunId, point, requestId);
    expect(runId).not.toBe(handle.firstExecutionRunId);
    // Retried with the same request id: the same new run, not another.
    expect((await reset(handle.workflowId, handle.firstExecutionRunId, point, requestId)).runId).toBe(runId);
    const old = h.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId);
    expect((await old.describe()).status.name).toBe('TERMINATED');

    const current = h.client.workflow.getHandle(handle.workflowId);
    expect((await current.describe()).runId).toBe(runId);
    expect(await current.query(items)).toEqual(['a', 'b']);
    await current.signal(close);
    expect(await current.result()).toEqual(['a', 'b']);
    const history = await h.keepHistory(h.client.workflow.getHandle(handle.workflowId, runId));
    const failed = history.events?.find((e) => e.eventType === ET.EVENT_TYPE_WORKFLOW_TASK_FAILED);
    expect(failed?.workflowTaskFailedEventAttributes).toMatchObject({
      cause: temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW,
      baseRunId: handle.firstExecutionRunId,
      newRunId: runId,
    });
    expect(Number(failed?.eventId)).toBe(point);
  });

  test('a completed workflow reset to its second task replays the first and draws fresh randomness after', async () => {
    const handle = await start(drawsAroundLetGo, []);
    await handle.signal(letGo);
    const first = await handle.result();
    const point = await taskCompleted(handle.workflowId, handle.firstExecutionRunId, 2);
    const { runId } = await reset(handle.workflowId, handle.firstExecutionRunId, point);
    const again = await h.client.workflow
      .getHandle<typeof drawsAroundLetGo>(handle.workflowId, runId)
      .result();
    expect(again.before).toBe(first.before);
    expect(again.after).not.toBe(first.after);
    await h.keepHistory(h.client.workflow.getHandle(handle.workflowId, runId));
  });

  test('a reset point that is not a workflow task is INVALID_ARGUMENT', async () => {
    const handle = await start(hello, ['reset']);
    await handle.result();
    const err = await reset(handle.workflowId, handle.firstExecutionRunId, 1).catch((e: unknown) => e);
    expect(isGrpcServiceError(err) && err.code).toBe(grpcStatus.INVALID_ARGUMENT);
  });
});

describe('PauseActivity, UnpauseActivity, ResetActivity', () => {
  interface Ask {
    pause?: boolean;
    unpause?: boolean;
    reset?: boolean;
    retry?: boolean;
  }
  const taskQueue = uniq('pause');

  beforeAll(async () => {
    await h.startWorker({
      taskQueue,
      activities: {
        /** Attempt 1 pauses and/or resets itself, then heartbeats until the worker cancels it. */
        async pausesItself(ask: Ask): Promise<unknown> {
          const info = activity.activityInfo();
          if (info.attempt > 1)
            return { attempt: info.attempt, details: activity.cancellationDetails() ?? null };
          const req = {
            namespace: 'default',
            execution: {
              workflowId: info.workflowExecution?.workflowId,
              runId: info.workflowExecution?.runId,
            },
            id: info.activityId,
          };
          if (ask.pause) await h.client.workflowService.pauseActivity(req);
          if (ask.reset) await h.client.workflowService.resetActivity(req);
          for (;;) {
            try {
              activity.heartbeat();
              await activity.sleep(200);
            } catch (err) {
              if (!ask.retry) return { attempt: info.attempt, details: activity.cancellationDetails() };
              if (ask.unpause) await h.client.workflowService.unpauseActivity(req);
              throw err;
            }
          }
        },
      },
    });
  });

  async function run(ask: Ask) {
    return h.client.workflow.execute(callsHeartbeatingActivity, {
      taskQueue,
      workflowId: uniq('pause'),
      args: ['pausesItself', [ask]],
    });
  }

  const details = (over: Record<string, boolean>) => ({
    cancelRequested: false,
    notFound: false,
    paused: false,
    timedOut: false,
    workerShutdown: false,
    reset: false,
    ...over,
  });

  test('a paused running activity is cancelled with the reason "paused"', async () => {
    expect(await run({ pause: true })).toEqual({ attempt: 1, details: details({ paused: true }) });
  });

  test('a paused activity that gives up its attempt runs its next attempt once unpaused', async () => {
    expect(await run({ pause: true, unpause: true, retry: true })).toEqual({ attempt: 2, details: null });
  });

  test('20: a running activity paused, then reset, stays paused: its heartbeat reports both', async () => {
    expect(await run({ pause: true, reset: true })).toEqual({
      attempt: 1,
      details: details({ paused: true, reset: true }),
    });
  });

  test('a reset running activity is cancelled with the reason "reset" and, if it gives up, goes again at once', async () => {
    expect(await run({ reset: true })).toEqual({ attempt: 1, details: details({ reset: true }) });
    expect(await run({ reset: true, retry: true })).toEqual({ attempt: 2, details: null });
  });
});

test('every history kept above replays', async () => {
  expect(await h.replayKeptHistories()).toEqual([]);
});
