// Timer workflows; under time skipping their days pass in milliseconds of wall time.
import type { Duration } from '@temporalio/common';
import {
  CancellationScope,
  condition,
  defineQuery,
  defineSignal,
  isCancellation,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';

export const release = defineSignal('release');
export const phase = defineQuery<string>('phase');

export interface Clock {
  startedAt: number;
  endedAt: number;
  runStartTime: number;
}

export async function sleepFor(duration: Duration): Promise<Clock> {
  const startedAt = Date.now();
  await sleep(duration);
  return { startedAt, endedAt: Date.now(), runStartTime: workflowInfo().runStartTime.getTime() };
}

/** Waits for `release` or the timeout; reports which came first and the clock. */
export async function waitForRelease(timeout: Duration): Promise<Clock & { released: boolean }> {
  const startedAt = Date.now();
  let released = false;
  setHandler(release, () => {
    released = true;
  });
  const inTime = await condition(() => released, timeout);
  return {
    startedAt,
    endedAt: Date.now(),
    runStartTime: workflowInfo().runStartTime.getTime(),
    released: inTime,
  };
}

/** Starts a 30-day timer, cancels it after an hour, and reports what it saw. */
export async function cancelTimer(): Promise<{ cancelled: boolean; elapsedMs: number }> {
  const startedAt = Date.now();
  const scope = new CancellationScope();
  const long = scope.run(() => sleep('30 days'));
  await sleep('1 hour');
  scope.cancel();
  try {
    await long;
    return { cancelled: false, elapsedMs: Date.now() - startedAt };
  } catch (err) {
    return { cancelled: isCancellation(err), elapsedMs: Date.now() - startedAt };
  }
}

/** Sleeps a day, exposing its phase by query; the test wakes it with env.sleep. */
export async function dayLongReminder(): Promise<string> {
  let current = 'waiting';
  setHandler(phase, () => current);
  await sleep('1 day');
  current = 'reminded';
  let released = false;
  setHandler(release, () => {
    released = true;
  });
  await condition(() => released);
  return current;
}
