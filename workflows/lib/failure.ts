import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';

/** What went wrong, for staff: the failure's own message (an activity's SQLSTATE, never SQL or values). */
export function failureReason(error: unknown): string {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure) return `${cause.type ?? 'Error'}: ${cause.message}`;
  return cause instanceof Error ? cause.message : String(cause);
}
