import { type ActivityOptions, proxyActivities } from '@temporalio/workflow';
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
