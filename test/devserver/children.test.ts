// Child workflows, parent close policies, continue-as-new, and external signal/cancel.
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure, ChildWorkflowFailure } from '@temporalio/common';
import { eventually } from '../support/eventually';
import { Harness, uniq } from './env';
import { cancellable } from './workflows/basics';
import {
  cancelOther,
  countdown,
  parentCancelsChild,
  parentLeavesChild,
  parentOfFailing,
  parentOfHello,
  signalOther,
} from './workflows/children';
import { close, entity, items } from './workflows/messages';

let h: Harness;

beforeAll(async () => {
  h = await Harness.create('local');
});

afterAll(async () => {
  await h?.teardown();
});

function start<A extends unknown[], R>(wf: (...args: A) => Promise<R>, args: A, workflowId = uniq(wf.name)) {
  return h.client.workflow.start(wf, { taskQueue: h.taskQueue, workflowId, args });
}

test('a child workflow result reaches the parent; both histories are written', async () => {
  const handle = await start(parentOfHello, ['child']);
  expect(await handle.result()).toBe('child said: Hello, child!');
  const history = await h.keepHistory(handle);
  const types = (history.events ?? []).map((e) => Object.keys(e).find((k) => k.endsWith('EventAttributes')));
  expect(types).toContain('startChildWorkflowExecutionInitiatedEventAttributes');
  expect(types).toContain('childWorkflowExecutionStartedEventAttributes');
  expect(types).toContain('childWorkflowExecutionCompletedEventAttributes');
  const child = h.client.workflow.getHandle(`${handle.workflowId}-child`);
  const desc = await child.describe();
  expect(desc.status.name).toBe('COMPLETED');
  expect(desc.parentExecution?.workflowId).toBe(handle.workflowId);
  await h.keepHistory(child);
});

test('a failing child is a ChildWorkflowFailure carrying the ApplicationFailure', async () => {
  const handle = await start(parentOfFailing, []);
  const err = await handle.result().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  const cause = (err as WorkflowFailedError).cause;
  expect(cause).toBeInstanceOf(ChildWorkflowFailure);
  expect((cause as ChildWorkflowFailure).cause).toBeInstanceOf(ApplicationFailure);
  expect((cause as ChildWorkflowFailure).cause?.message).toBe('child broke');
  await h.keepHistory(handle);
});

test('cancelling a child from the parent ends the child CANCELLED', async () => {
  const handle = await start(parentCancelsChild, []);
  expect(await handle.result()).toBe('child cancelled');
  const child = h.client.workflow.getHandle(`${handle.workflowId}-child`);
  expect((await child.describe()).status.name).toBe('CANCELLED');
  await h.keepHistory(handle);
  await h.keepHistory(child);
});

test('parent close policy TERMINATE terminates the child when the parent completes', async () => {
  const handle = await start(parentLeavesChild, ['TERMINATE']);
  const childId = await handle.result();
  const child = h.client.workflow.getHandle(childId);
  const status = await eventually(async () => {
    const s = (await child.describe()).status.name;
    return s === 'RUNNING' ? undefined : s;
  });
  expect(status).toBe('TERMINATED');
  await h.keepHistory(handle);
});

test('parent close policy ABANDON leaves the child running', async () => {
  const handle = await start(parentLeavesChild, ['ABANDON']);
  const childId = await handle.result();
  const child = h.client.workflow.getHandle(childId);
  expect((await child.describe()).status.name).toBe('RUNNING');
  await child.signal('finish');
  expect(await child.result()).toBe('finished');
  await h.keepHistory(handle);
  await h.keepHistory(child);
});

test("continue-as-new chains runs and the client's result() follows the chain", async () => {
  const handle = await start(countdown, [3]);
  expect(await handle.result()).toBe('done after 4 runs');
  const latest = await h.client.workflow.getHandle(handle.workflowId).describe();
  expect(latest.runId).not.toBe(handle.firstExecutionRunId);
  expect(latest.status.name).toBe('COMPLETED');
  const first = await h.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId).describe();
  expect(first.status.name).toBe('CONTINUED_AS_NEW');
  const firstHistory = await h.keepHistory(
    h.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId),
  );
  const last = firstHistory.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes;
  expect(last?.workflowType?.name).toBe('countdown');
  expect(last?.newExecutionRunId).toMatch(/\S/);
  await h.keepHistory(h.client.workflow.getHandle(handle.workflowId));
  // Without following runs, the first run's result is the continue-as-new itself.
  const notFollowed = await h.client.workflow
    .getHandle(handle.workflowId, handle.firstExecutionRunId, { followRuns: false })
    .result()
    .catch((e: unknown) => e);
  expect(String(notFollowed)).toMatch(/continued as new/i);
});

test('a workflow signals another through getExternalWorkflowHandle', async () => {
  const target = await start(entity, []);
  const sender = await start(signalOther, [target.workflowId, 'from-outside']);
  await sender.result();
  expect(await target.query(items)).toEqual(['from-outside']);
  await target.signal(close);
  expect(await target.result()).toEqual(['from-outside']);
  await h.keepHistory(sender);
  await h.keepHistory(target);
});

test('a workflow cancels another through getExternalWorkflowHandle', async () => {
  const target = await start(cancellable, ['rethrow']);
  const canceller = await start(cancelOther, [target.workflowId]);
  await canceller.result();
  const err = await target.result().catch((e: unknown) => e);
  expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
  await h.keepHistory(canceller);
  await h.keepHistory(target);
});

test('signalling an unknown external workflow fails the signalling workflow', async () => {
  const sender = await start(signalOther, [uniq('nobody'), 'x']);
  const err = await sender.result().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(WorkflowFailedError);
  await h.keepHistory(sender);
});

test('every history of this file replays on a fresh worker', async () => {
  expect(h.histories.length).toBeGreaterThanOrEqual(12);
  expect(await h.replayKeptHistories()).toEqual([]);
});
