// Workflows that drive the test activities with options chosen by the test.
import {
  ActivityCancellationType,
  type ActivityOptions,
  CancellationScope,
  condition,
  defineSignal,
  isCancellation,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import type { Activities } from '../activities';

export const cancelActivity = defineSignal('cancelActivity');

type Name = keyof Activities;

/** Calls one activity with the given options and returns its result; failures fail the workflow. */
export async function callActivity(name: Name, args: unknown[], options: ActivityOptions): Promise<unknown> {
  const acts = proxyActivities<Record<string, (...a: unknown[]) => Promise<unknown>>>(options);
  const started = Date.now();
  const result = await acts[name]!(...args);
  return { result, elapsedMs: Date.now() - started };
}

/** Starts `waitForCancellation`, cancels it when signalled, and reports what the workflow saw. */
export async function cancelRunningActivity(key: string): Promise<string> {
  const { waitForCancellation } = proxyActivities<Activities>({
    startToCloseTimeout: '1 minute',
    heartbeatTimeout: '5 seconds',
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
  const scope = new CancellationScope();
  const running = scope.run(() => waitForCancellation(key));
  let cancel = false;
  setHandler(cancelActivity, () => {
    cancel = true;
  });
  await condition(() => cancel);
  scope.cancel();
  try {
    await running;
    return 'activity completed';
  } catch (err) {
    return isCancellation(err) ? 'activity cancelled' : `unexpected ${String(err)}`;
  }
}

/** Ten activities in a row, then waits for `finish` (the benchmark's heavier shape). */
export async function tenActivitiesAndSignal(): Promise<number> {
  const { greet } = proxyActivities<Activities>({ startToCloseTimeout: '10 seconds' });
  for (let i = 0; i < 10; i++) await greet(String(i));
  let done = false;
  setHandler(defineSignal('finish'), () => {
    done = true;
  });
  await condition(() => done);
  return 10;
}

export async function oneActivity(name: string): Promise<string> {
  const { greet } = proxyActivities<Activities>({ startToCloseTimeout: '10 seconds' });
  return greet(name);
}
