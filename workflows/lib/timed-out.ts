import { ActivityFailure, ChildWorkflowFailure, TimeoutFailure } from '@temporalio/workflow';

/**
 * The settlement child failed because its step ran out of time: its activity's retries exhausted or
 * timed out (the database or a lock did not answer), as opposed to a refusal or bad data.
 */
export function timedOut(error: unknown): boolean {
  if (!(error instanceof ChildWorkflowFailure)) return false;
  const cause = error.cause;
  if (cause instanceof TimeoutFailure) return true;
  return (
    cause instanceof ActivityFailure &&
    (cause.retryState === 'MAXIMUM_ATTEMPTS_REACHED' ||
      cause.retryState === 'TIMEOUT' ||
      cause.cause instanceof TimeoutFailure)
  );
}
