import {
  ActivityFailure,
  type ActivityOptions,
  ApplicationFailure,
  CancelledFailure,
  type LocalActivityOptions,
  proxyActivities,
  proxyLocalActivities,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { NON_RETRYABLE_FAILURES } from '../cases';

/**
 * The one retry policy of every case activity: backoff up to a minute, at most 12 attempts (about
 * 8 minutes of a database or service outage), and never a retry for a failure that cannot succeed
 * (bad data, a constraint). When the attempts run out the case shows NEEDS_ATTENTION; it never loops.
 */
export const ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 12,
    nonRetryableErrorTypes: [...NON_RETRYABLE_FAILURES],
  },
};

export const db = proxyActivities<Activities>(ACTIVITY_OPTIONS);

/**
 * The same policy for the short, idempotent steps a workflow runs as local activities (in the worker,
 * recorded as a marker with the workflow task: no activity task and no second workflow task per step).
 * A worker that dies mid-step runs it again when the workflow task is retried, so only steps that give
 * the same answer when run twice are local: a projection (guarded by its counter and event ids), the
 * admission check (its stay row written once), fee lines (idempotent by feedetl_sn), a settlement
 * (exactly once by its request_key).
 */
export const LOCAL_ACTIVITY_OPTIONS: LocalActivityOptions = {
  startToCloseTimeout: ACTIVITY_OPTIONS.startToCloseTimeout,
  retry: ACTIVITY_OPTIONS.retry,
};

/**
 * A local activity that fails for good rejects with its failure itself, a remote one with an
 * ActivityFailure around it: wrapped here the same way, so workflow code (`failureReason`, the
 * `instanceof ActivityFailure` of an attention path, a parent reading a child's failure) sees one shape.
 */
function failingLikeRemote<T extends object>(activities: T): T {
  return new Proxy(activities, {
    get(target, name) {
      const run = Reflect.get(target, name) as (...args: unknown[]) => Promise<unknown>;
      return async (...args: unknown[]) => {
        try {
          return await run(...args);
        } catch (error) {
          if (
            error instanceof ActivityFailure ||
            error instanceof CancelledFailure ||
            !(error instanceof Error)
          )
            throw error;
          throw new ActivityFailure(
            'Activity task failed',
            String(name),
            undefined,
            error instanceof ApplicationFailure && error.nonRetryable
              ? 'NON_RETRYABLE_FAILURE'
              : 'MAXIMUM_ATTEMPTS_REACHED',
            'local',
            error,
          );
        }
      };
    },
  });
}

export const localDb = failingLikeRemote(proxyLocalActivities<Activities>(LOCAL_ACTIVITY_OPTIONS));
