// Eager activity dispatch: an activity the worker asks to run eagerly (requestEagerExecution, which sdk-core
// sets when it has a free slot on the same task queue) comes back started in the workflow task completion's
// response, as on the real server, instead of through a PollActivityTaskQueue round trip. Retries and
// timeouts apply to it as to any activity.
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import Long from 'long';
import { type DevServer, startDevServer } from '../../devserver/index';
import { createActivities, Probe } from './activities';
import { bundleTestWorkflows, eventTypeName, uniq } from './env';
import { callActivity, tenActivitiesAndSignal } from './workflows/activity-workflows';

const { CommandType, EventType, PendingActivityState } = temporal.api.enums.v1;
type Command = temporal.api.command.v1.ICommand;
const namespace = 'default';

let server: DevServer;
let connection: Connection;

beforeAll(async () => {
  server = await startDevServer({ port: 0 });
  connection = await Connection.connect({ address: server.address });
});

afterAll(async () => {
  await connection?.close();
  await server?.stop();
});

function scheduleActivity(
  activityId: string,
  taskQueue: string,
  requestEagerExecution: boolean,
  extra: Partial<temporal.api.command.v1.IScheduleActivityTaskCommandAttributes> = {},
): Command {
  return {
    commandType: CommandType.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK,
    scheduleActivityTaskCommandAttributes: {
      activityId,
      activityType: { name: 'greet' },
      taskQueue: { name: taskQueue },
      startToCloseTimeout: { seconds: Long.fromNumber(10) },
      retryPolicy: { initialInterval: { nanos: 10_000_000 }, maximumAttempts: 3 },
      requestEagerExecution,
      ...extra,
    },
  };
}

/** Starts a workflow on a fresh queue and completes its first workflow task with `commands`, as worker 'w1'. */
async function completeFirstTask(commands: (taskQueue: string) => Command[]) {
  const svc = connection.workflowService;
  const taskQueue = uniq('eager');
  const workflowId = uniq('eager-wf');
  await svc.startWorkflowExecution({
    namespace,
    workflowId,
    workflowType: { name: 'protocolOnly' },
    taskQueue: { name: taskQueue },
    requestId: randomUUID(),
  });
  const task = await svc.pollWorkflowTaskQueue({ namespace, taskQueue: { name: taskQueue }, identity: 'w1' });
  const response = await svc.respondWorkflowTaskCompleted({
    namespace,
    taskToken: task.taskToken,
    identity: 'w1',
    commands: commands(taskQueue),
  });
  return { svc, taskQueue, workflowId, response };
}

test('only the activities asked for eagerly, on the workflow task queue, come back started in the response', async () => {
  const { svc, taskQueue, workflowId, response } = await completeFirstTask((tq) => [
    scheduleActivity('eager', tq, true),
    scheduleActivity('polled', tq, false),
    scheduleActivity('elsewhere', `${tq}-other`, true),
  ]);
  expect(response.activityTasks?.map((t) => t.activityId)).toEqual(['eager']);
  expect(response.activityTasks?.[0]?.attempt).toBe(1);
  expect(response.activityTasks?.[0]?.workflowExecution?.workflowId).toBe(workflowId);

  // The eager one is started (no poll will see it); the other one on this queue is there to poll.
  const described = await svc.describeWorkflowExecution({ namespace, execution: { workflowId } });
  const states = Object.fromEntries(
    (described.pendingActivities ?? []).map((a) => [a.activityId, a.state as number]),
  );
  expect(states).toEqual({
    eager: PendingActivityState.PENDING_ACTIVITY_STATE_STARTED,
    polled: PendingActivityState.PENDING_ACTIVITY_STATE_SCHEDULED,
    elsewhere: PendingActivityState.PENDING_ACTIVITY_STATE_SCHEDULED,
  });
  const polled = await svc.pollActivityTaskQueue({
    namespace,
    taskQueue: { name: taskQueue },
    identity: 'w2',
  });
  expect(polled.activityId).toBe('polled');
});

test('a failed eager attempt is retried through the task queue, and its history records both attempts', async () => {
  const { svc, taskQueue, workflowId, response } = await completeFirstTask((tq) => [
    scheduleActivity('flaky', tq, true),
  ]);
  const first = response.activityTasks?.[0];
  expect(first?.attempt).toBe(1);
  await svc.respondActivityTaskFailed({
    namespace,
    taskToken: first?.taskToken,
    identity: 'w1',
    failure: { message: 'attempt 1', applicationFailureInfo: { type: 'Flaky' } },
  });
  const retry = await svc.pollActivityTaskQueue({
    namespace,
    taskQueue: { name: taskQueue },
    identity: 'w1',
  });
  expect(retry.activityId).toBe('flaky');
  expect(retry.attempt).toBe(2);
  await svc.respondActivityTaskCompleted({ namespace, taskToken: retry.taskToken, identity: 'w1' });

  const { history } = await svc.getWorkflowExecutionHistory({ namespace, execution: { workflowId } });
  const started = history?.events?.find((e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED);
  expect(started?.activityTaskStartedEventAttributes?.attempt).toBe(2);
  expect(started?.activityTaskStartedEventAttributes?.lastFailure?.message).toBe('attempt 1');
  expect(history?.events?.map((e) => eventTypeName(e.eventType))).toContain('ActivityTaskCompleted');
});

test('the start-to-close timeout applies to an eager activity', async () => {
  const { svc, taskQueue, response } = await completeFirstTask((tq) => [
    scheduleActivity('silent', tq, true, {
      startToCloseTimeout: { nanos: 200_000_000 },
      retryPolicy: { maximumAttempts: 1 },
    }),
  ]);
  expect(response.activityTasks?.map((t) => t.activityId)).toEqual(['silent']);
  // Never answered: the timeout writes the outcome and asks the workflow to decide.
  const next = await svc.pollWorkflowTaskQueue({ namespace, taskQueue: { name: taskQueue }, identity: 'w1' });
  const timedOut = next.history?.events?.find(
    (e) => e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT,
  );
  expect(timedOut?.activityTaskTimedOutEventAttributes?.failure?.timeoutFailureInfo?.timeoutType).toBe(
    temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE,
  );
});

test('an activity cancelled, or a workflow completed, by the same task is not handed out', async () => {
  const cancelled = await completeFirstTask((tq) => [
    scheduleActivity('cancelled', tq, true),
    {
      commandType: CommandType.COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK,
      // Events 1-4: started, task scheduled, started, completed; the activity is event 5.
      requestCancelActivityTaskCommandAttributes: { scheduledEventId: Long.fromNumber(5) },
    },
  ]);
  expect(cancelled.response.activityTasks ?? []).toEqual([]);

  const completed = await completeFirstTask((tq) => [
    scheduleActivity('orphan', tq, true),
    {
      commandType: CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION,
      completeWorkflowExecutionCommandAttributes: {},
    },
  ]);
  expect(completed.response.activityTasks ?? []).toEqual([]);
});

// Eager workflow start: a StartWorkflowExecution with request_eager_execution (sdk-core sets it when a worker
// on that task queue shares the client's connection and has a free slot) answers with the first workflow
// task already started, so no poll has to find it.
function startRequest(workflowId: string, taskQueue: string, extra: object = {}) {
  return {
    namespace,
    workflowId,
    workflowType: { name: 'protocolOnly' },
    taskQueue: { name: taskQueue },
    requestId: randomUUID(),
    requestEagerExecution: true,
    ...extra,
  };
}

test('an eager start answers with the first workflow task started, and no poll sees that task', async () => {
  const svc = connection.workflowService;
  const taskQueue = uniq('eager-start');
  const workflowId = uniq('eager-start-wf');
  const { eagerWorkflowTask: task, runId } = await svc.startWorkflowExecution(
    startRequest(workflowId, taskQueue),
  );
  expect(task?.workflowExecution).toEqual(expect.objectContaining({ workflowId, runId }));
  expect(task?.history?.events?.map((e) => eventTypeName(e.eventType))).toEqual([
    'WorkflowExecutionStarted',
    'WorkflowTaskScheduled',
    'WorkflowTaskStarted',
  ]);
  const described = await svc.describeWorkflowExecution({ namespace, execution: { workflowId } });
  expect(described.pendingWorkflowTask?.state).toBe(
    temporal.api.enums.v1.PendingWorkflowTaskState.PENDING_WORKFLOW_TASK_STATE_STARTED,
  );
  // The task token works like a polled one.
  await svc.respondWorkflowTaskCompleted({
    namespace,
    taskToken: task?.taskToken,
    identity: 'w1',
    commands: [
      {
        commandType: CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION,
        completeWorkflowExecutionCommandAttributes: {},
      },
    ],
  });
  const { history } = await svc.getWorkflowExecutionHistory({ namespace, execution: { workflowId } });
  expect(history?.events?.map((e) => eventTypeName(e.eventType))).toEqual([
    'WorkflowExecutionStarted',
    'WorkflowTaskScheduled',
    'WorkflowTaskStarted',
    'WorkflowTaskCompleted',
    'WorkflowExecutionCompleted',
  ]);
  // Nothing was left on the queue for a poller: it answers empty when its deadline nears.
  const polled = await connection.withDeadline(Date.now() + 1500, () =>
    svc.pollWorkflowTaskQueue({ namespace, taskQueue: { name: taskQueue }, identity: 'w2' }),
  );
  expect(polled.taskToken ?? new Uint8Array()).toHaveLength(0);
});

test('an eager task the worker never answers times out and is retried through the queue', async () => {
  const svc = connection.workflowService;
  const taskQueue = uniq('eager-lost');
  const workflowId = uniq('eager-lost-wf');
  const { eagerWorkflowTask } = await svc.startWorkflowExecution(
    startRequest(workflowId, taskQueue, { workflowTaskTimeout: { nanos: 300_000_000 } }),
  );
  expect(eagerWorkflowTask?.attempt).toBe(1);
  const retry = await svc.pollWorkflowTaskQueue({
    namespace,
    taskQueue: { name: taskQueue },
    identity: 'w2',
  });
  expect(retry.workflowExecution?.workflowId).toBe(workflowId);
  expect(retry.attempt).toBe(2);
});

test('a delayed start, or a start that finds the workflow running, has no eager task', async () => {
  const svc = connection.workflowService;
  const taskQueue = uniq('eager-none');
  const delayed = await svc.startWorkflowExecution(
    startRequest(uniq('eager-delayed'), taskQueue, { workflowStartDelay: { seconds: Long.fromNumber(60) } }),
  );
  expect(delayed.eagerWorkflowTask).toBeFalsy();

  const workflowId = uniq('eager-twice');
  const first = await svc.startWorkflowExecution(startRequest(workflowId, taskQueue));
  expect(first.eagerWorkflowTask?.taskToken?.length).toBeGreaterThan(0);
  const again = await svc.startWorkflowExecution(
    startRequest(workflowId, taskQueue, {
      workflowIdConflictPolicy:
        temporal.api.enums.v1.WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
    }),
  );
  expect(again).toEqual(expect.objectContaining({ started: false, runId: first.runId }));
  expect(again.eagerWorkflowTask).toBeFalsy();
});

describe('through the real worker', () => {
  let workflowBundle: WorkflowBundleWithSourceMap;
  let nativeConnection: NativeConnection;

  beforeAll(async () => {
    workflowBundle = await bundleTestWorkflows();
    nativeConnection = await NativeConnection.connect({ address: server.address });
  });

  afterAll(async () => {
    await nativeConnection?.close();
  });

  test('activities run eagerly: ten in a row cost no activity poll each, and a retry still happens', async () => {
    const probe = new Probe();
    const taskQueue = uniq('eager-sdk');
    const worker = await Worker.create({
      connection: nativeConnection,
      taskQueue,
      workflowBundle,
      activities: createActivities(probe),
    });
    const client = new Client({ connection });
    const polls = () => server.rpcCounts().get('PollActivityTaskQueue') ?? 0;
    await worker.runUntil(async () => {
      // Warm: the worker's activity pollers are open once this returns.
      await client.workflow.execute(callActivity, {
        taskQueue,
        workflowId: uniq('eager-warm'),
        args: ['greet', ['warm'], { startToCloseTimeout: '10s' }],
      });
      const before = polls();
      const handle = await client.workflow.start(tenActivitiesAndSignal, {
        taskQueue,
        workflowId: uniq('eager-ten'),
      });
      await handle.signal('finish');
      expect(await handle.result()).toBe(10);
      // A task handed out by a poll makes sdk-core poll again: ten polled activities would be ten more polls.
      // Eager ones are handed out in the workflow task responses, and the open polls stay parked.
      expect(polls() - before).toBeLessThan(10);

      const key = uniq('flaky');
      const out = (await client.workflow.execute(callActivity, {
        taskQueue,
        workflowId: uniq('eager-flaky'),
        args: [
          'flaky',
          [key, 1],
          { startToCloseTimeout: '10s', retry: { initialInterval: '10ms', maximumAttempts: 3 } },
        ],
      })) as { result: number };
      expect(out.result).toBe(2);
      expect(probe.attempts.get(key)?.map((a) => a.attempt)).toEqual([1, 2]);
    });
  });

  test('a client sharing the worker connection starts workflows eagerly, with no workflow task poll', async () => {
    const taskQueue = uniq('eager-start-sdk');
    const worker = await Worker.create({
      connection: nativeConnection,
      taskQueue,
      workflowBundle,
      activities: createActivities(new Probe()),
    });
    // The NativeConnection is what lets sdk-core hand the start's workflow task to this worker.
    const client = new Client({ connection: nativeConnection });
    const polls = () => server.rpcCounts().get('PollWorkflowTaskQueue') ?? 0;
    await worker.runUntil(async () => {
      // Warm: the worker's workflow pollers are open once this returns.
      await client.workflow.execute(callActivity, {
        taskQueue,
        workflowId: uniq('eager-start-warm'),
        args: ['greet', ['warm'], { startToCloseTimeout: '10s' }],
      });
      const before = polls();
      const handle = await client.workflow.start(callActivity, {
        taskQueue,
        workflowId: uniq('eager-start-sdk-wf'),
        args: ['greet', ['eager'], { startToCloseTimeout: '10s' }],
        requestEagerStart: true,
      });
      expect(handle.eagerlyStarted).toBe(true);
      expect(((await handle.result()) as { result: string }).result).toBe('Hello, eager!');
      // A task handed out by a poll makes sdk-core poll again. Only the second workflow task (after the
      // activity) goes through a (sticky) poll: the first came in the start's answer, the activity in the
      // completion's.
      expect(polls() - before).toBeLessThan(2);
    });
  });
});
