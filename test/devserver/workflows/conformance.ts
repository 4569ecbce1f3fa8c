// Workflows for the conformance tests (issue 14): each shows one thing the real server tells a workflow.
import {
  condition,
  defineQuery,
  defineSignal,
  defineUpdate,
  executeChild,
  proxyActivities,
  setHandler,
  sleep,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';

export const letGo = defineSignal('letGo');
export const buildIdNow = defineQuery<string>('buildIdNow');
export const neverFinishes = defineUpdate<void>('neverFinishes');
export const markSeen = defineUpdate<void>('markSeen');

/** History size before and after one more workflow task. */
export async function historySizes(): Promise<[number, number]> {
  const before = workflowInfo().historySize;
  await sleep(1);
  return [before, workflowInfo().historySize];
}

/** Sleeps until the server suggests continue-as-new (or 400 events pass); returns the length it was at. */
export async function untilContinueAsNewSuggested(): Promise<{ suggested: boolean; historyLength: number }> {
  while (!workflowInfo().continueAsNewSuggested && workflowInfo().historyLength < 400) await sleep(1);
  return { suggested: workflowInfo().continueAsNewSuggested, historyLength: workflowInfo().historyLength };
}

/** The root a run sees: none at the top, the top run for a child (and a grandchild). */
export async function reportRoot(depth: number): Promise<(string | null)[]> {
  const root = workflowInfo().root;
  const mine = root ? `${root.workflowId}/${root.runId}` : null;
  if (depth === 0) return [mine];
  const below = await executeChild(reportRoot, {
    args: [depth - 1],
    workflowId: `${workflowInfo().workflowId}-c`,
  });
  return [mine, ...below];
}

/** Waits for `letGo`; a query answers the build id the workflow code runs under. */
export async function buildIdReporter(): Promise<string> {
  let goAhead = false;
  setHandler(letGo, () => {
    goAhead = true;
  });
  setHandler(buildIdNow, () => workflowInfo().currentBuildId ?? '');
  await condition(() => goAhead);
  return workflowInfo().currentBuildId ?? '';
}

/** A timer, an activity and a child, each with a summary. */
export async function withSummaries(): Promise<(string | null)[]> {
  const { greet } = proxyActivities<Activities>({ startToCloseTimeout: '10 seconds' });
  await sleep(1, { summary: 'timer summary' });
  await greet.executeWithOptions({ startToCloseTimeout: '10 seconds', summary: 'activity summary' }, [
    'metadata',
  ]);
  return executeChild(reportRoot, {
    args: [0],
    workflowId: `${workflowInfo().workflowId}-child`,
    staticSummary: 'child summary',
    staticDetails: 'child details',
  });
}

/** Accepts `neverFinishes` updates whose handlers never return, and completes on `letGo`. */
export async function closesUnderUpdates(): Promise<void> {
  let goAhead = false;
  setHandler(neverFinishes, () => condition(() => false));
  setHandler(letGo, () => {
    goAhead = true;
  });
  await condition(() => goAhead);
}

/** Returns at once; an update in the first workflow task runs before it returns. */
export async function returnsWhatUpdatesDid(): Promise<string> {
  let state = 'initial';
  setHandler(markSeen, () => {
    state = 'seen by update';
  });
  return state;
}

/** Calls the activity named (one the test registers on its own worker) and returns its result. */
export async function callsActivityNamed(name: string, args: unknown[]): Promise<unknown> {
  const acts = proxyActivities<Record<string, (...a: unknown[]) => Promise<unknown>>>({
    startToCloseTimeout: '2 days',
    retry: { maximumAttempts: 2 },
  });
  return acts[name]!(...args);
}

/** Returns a string of `length` characters (to go over a payload size limit). */
export async function returnsLongString(length: number): Promise<string> {
  return 'o'.repeat(length);
}

/** Calls `greet` with a name of `length` characters built here (so the start request stays small). */
export async function greetsWithLongName(length: number): Promise<string> {
  const { greet } = proxyActivities<Activities>({ startToCloseTimeout: '10 seconds' });
  return greet('i'.repeat(length));
}

/**
 * Draws a random id, sleeps (so that task completes), waits for `letGo`, draws another: a reset to the
 * second task replays the first draw and reseeds the second.
 */
export async function drawsAroundLetGo(): Promise<{ before: string; after: string }> {
  const before = uuid4();
  await sleep(1);
  let go = false;
  setHandler(letGo, () => {
    go = true;
  });
  await condition(() => go);
  return { before, after: uuid4() };
}

/** Calls a heartbeating activity the test registers, with one retry allowed. */
export async function callsHeartbeatingActivity(name: string, args: unknown[]): Promise<unknown> {
  const acts = proxyActivities<Record<string, (...a: unknown[]) => Promise<unknown>>>({
    startToCloseTimeout: '1 minute',
    heartbeatTimeout: '2 seconds',
    retry: { maximumAttempts: 2, initialInterval: '100 milliseconds' },
  });
  return acts[name]!(...args);
}
