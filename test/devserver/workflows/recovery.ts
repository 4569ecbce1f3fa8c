// Workflows of the crash-recovery test (recovery.test.ts): together they use everything a SIGKILL of
// the server must not lose — activity retries, timers, a child, continue-as-new, a signal, an update.
import {
  condition,
  continueAsNew,
  defineSignal,
  defineUpdate,
  executeChild,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';

export interface RecoveryActivities {
  /** Returns 1; with `failFirst`, its first attempt fails (a retry the server must schedule). */
  step(key: string, failFirst: boolean): Promise<number>;
}

const { step } = proxyActivities<RecoveryActivities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '100ms', backoffCoefficient: 1, maximumAttempts: 10 },
});

export const bump = defineSignal<[number]>('bump');
export const addBump = defineUpdate<number, [number]>('addBump');

/** Two rounds (continue-as-new between) of: a retried activity, a timer, a child, another activity. */
export async function recoverySteps(round: number, total: number): Promise<number> {
  const id = workflowInfo().workflowId;
  let sum = total + (await step(`${id}/r${round}/a`, true));
  await sleep('300ms');
  sum += await executeChild(recoveryChild, {
    args: [`${id}/r${round}/child`],
    workflowId: `${id}-child-${round}`,
  });
  sum += await step(`${id}/r${round}/b`, false);
  if (round === 0) return continueAsNew<typeof recoverySteps>(1, sum);
  return sum;
}

export async function recoveryChild(key: string): Promise<number> {
  await sleep('100ms');
  return step(key, true);
}

/** Waits for one signal and one update, then runs a retried activity: 10 + 100 + 1 when nothing is lost or doubled. */
export async function recoveryEntity(): Promise<number> {
  const id = workflowInfo().workflowId;
  let total = 0;
  let signalled = false;
  let updated = false;
  setHandler(bump, (n) => {
    total += n;
    signalled = true;
  });
  setHandler(addBump, (n) => {
    total += n;
    updated = true;
    return total;
  });
  await condition(() => signalled && updated);
  total += await step(`${id}/final`, true);
  return total;
}
