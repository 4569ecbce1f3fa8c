// Workflows for start/describe/result/terminate/cancel and workflow-task failures.
import {
  ApplicationFailure,
  CancellationScope,
  condition,
  defineQuery,
  defineSignal,
  isCancellation,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';

export const finish = defineSignal('finish');
export const fix = defineSignal('fix');
export const increment = defineSignal<[number]>('increment');
export const total = defineQuery<number>('total');

export async function hello(name: string): Promise<string> {
  return `Hello, ${name}!`;
}

/** Runs until signalled `finish` (or cancelled / terminated). */
export async function waitForFinish(): Promise<string> {
  let done = false;
  setHandler(finish, () => {
    done = true;
  });
  await condition(() => done);
  return 'finished';
}

/** Waits to be cancelled; 'rethrow' ends cancelled, 'report' swallows it and returns what it saw. */
export async function cancellable(mode: 'rethrow' | 'report'): Promise<string> {
  try {
    await condition(() => false);
    return 'not reached';
  } catch (err) {
    if (mode === 'report' && isCancellation(err)) {
      // Cleanup work after cancellation must run in a non-cancellable scope.
      await CancellationScope.nonCancellable(() => sleep(1));
      return `saw ${(err as Error).name}`;
    }
    throw err;
  }
}

export async function failing(message: string): Promise<never> {
  throw ApplicationFailure.nonRetryable(message, 'BadInput');
}

/** A plain Error fails the workflow task (not the workflow); the server retries the task until `fix` arrives. */
export async function failUntilFixed(): Promise<string> {
  let fixed = false;
  setHandler(fix, () => {
    fixed = true;
  });
  if (!fixed) throw new Error('boom: not fixed yet');
  return 'fixed';
}

/** Sums `increment` signals until `finish`; the cache tests send it many signals. */
export async function counter(): Promise<number> {
  let sum = 0;
  let done = false;
  setHandler(increment, (n) => {
    sum += n;
  });
  setHandler(total, () => sum);
  setHandler(finish, () => {
    done = true;
  });
  await condition(() => done);
  return sum;
}

/** Commands differ between the first run and a replay: replaying its history is a nondeterminism error. */
export async function divergesOnReplay(): Promise<string> {
  if (!workflowInfo().unsafe.isReplaying) await sleep(1);
  return 'done';
}
