// Signals, signal-with-start, queries (running and completed) and updates on an entity workflow.
import { WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateStage } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { Harness, uniq } from './env';
import { addAndCount, addItem, close, entity, items, waitForCount } from './workflows/messages';

let h: Harness;

beforeAll(async () => {
  h = await Harness.create('local');
});

afterAll(async () => {
  await h?.teardown();
});

async function startEntity() {
  return h.client.workflow.start(entity, { taskQueue: h.taskQueue, workflowId: uniq('entity') });
}

test('signals are applied in order and a query reads the state of a running workflow', async () => {
  const handle = await startEntity();
  await handle.signal(addItem, 'a');
  await handle.signal(addItem, 'b');
  expect(await handle.query(items)).toEqual(['a', 'b']);
  await handle.signal(close);
  expect(await handle.result()).toEqual(['a', 'b']);
  await h.keepHistory(handle);
});

test('a query still answers after the workflow completed', async () => {
  const handle = await startEntity();
  await handle.signal(addItem, 'kept');
  await handle.signal(close);
  await handle.result();
  expect(await handle.query(items)).toEqual(['kept']);
  await h.keepHistory(handle);
});

test('an unknown query name is an error that names it', async () => {
  const handle = await startEntity();
  const err = await handle.query('noSuchQuery').catch((e: unknown) => e);
  expect(String(err)).toMatch(/noSuchQuery/);
  await handle.signal(close);
  await handle.result();
  await h.keepHistory(handle);
});

test('signal-with-start starts a workflow with the signal delivered first, then signals the running one', async () => {
  const workflowId = uniq('sws');
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
  });
  expect(second.signaledRunId).toBe(first.signaledRunId);
  expect(await first.query(items)).toEqual(['first', 'second']);
  await first.signal(close);
  expect(await first.result()).toEqual(['first', 'second']);
  await h.keepHistory(first);
});

test('executeUpdate returns the handler value', async () => {
  const handle = await startEntity();
  expect(await handle.executeUpdate(addAndCount, { args: ['x'] })).toBe(1);
  expect(await handle.executeUpdate(addAndCount, { args: ['y'] })).toBe(2);
  expect(await handle.query(items)).toEqual(['x', 'y']);
  await handle.signal(close);
  await handle.result();
  await h.keepHistory(handle);
});

test('a validator rejection is WorkflowUpdateFailedError and leaves no trace in history', async () => {
  const handle = await startEntity();
  const err = await handle.executeUpdate(addAndCount, { args: ['  '] }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  expect((err as WorkflowUpdateFailedError).cause).toBeInstanceOf(ApplicationFailure);
  expect((err as WorkflowUpdateFailedError).cause?.message).toBe('item must not be empty');
  expect(await handle.query(items)).toEqual([]);
  await handle.signal(close);
  await handle.result();
  const history = await h.keepHistory(handle);
  expect((history.events ?? []).some((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toBe(false);
});

test('an update that waits on a condition completes when the condition holds', async () => {
  const handle = await startEntity();
  const waiting = handle.executeUpdate(waitForCount, { args: [2] });
  await handle.signal(addItem, 'one');
  await handle.signal(addItem, 'two');
  expect(await waiting).toEqual(['one', 'two']);
  await handle.signal(close);
  await handle.result();
  await h.keepHistory(handle);
});

test('startUpdate returns once accepted; its handle gives the result later', async () => {
  const handle = await startEntity();
  const update = await handle.startUpdate(waitForCount, {
    args: [1],
    waitForStage: WorkflowUpdateStage.ACCEPTED,
    updateId: 'wait-for-one',
  });
  expect(update.updateId).toBe('wait-for-one');
  await handle.signal(addItem, 'only');
  expect(await update.result()).toEqual(['only']);
  // The same update id again gives the same outcome instead of running twice.
  const again = await handle.executeUpdate(waitForCount, { args: [1], updateId: 'wait-for-one' });
  expect(again).toEqual(['only']);
  await handle.signal(close);
  expect(await handle.result()).toEqual(['only']);
  const history = await h.keepHistory(handle);
  const accepted = (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
  const completed = (history.events ?? []).filter((e) => e.workflowExecutionUpdateCompletedEventAttributes);
  expect(accepted).toHaveLength(1);
  expect(completed).toHaveLength(1);
});

test('an update on a completed workflow is an error', async () => {
  const handle = await startEntity();
  await handle.signal(close);
  await handle.result();
  const err = await handle.executeUpdate(addAndCount, { args: ['late'] }).catch((e: unknown) => e);
  // Temporal answers NOT_FOUND "workflow execution already completed"; the client maps it to WorkflowNotFoundError.
  expect(err).toBeInstanceOf(WorkflowNotFoundError);
  expect(String(err)).toMatch(/already completed/i);
  await h.keepHistory(handle);
});

test('an update on an unknown workflow is WorkflowNotFoundError', async () => {
  const err = await h.client.workflow
    .getHandle(uniq('missing'))
    .executeUpdate(addAndCount, { args: ['x'] })
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowNotFoundError);
});

test('every history of this file replays on a fresh worker', async () => {
  expect(h.histories.length).toBeGreaterThanOrEqual(8);
  expect(await h.replayKeptHistories()).toEqual([]);
});
