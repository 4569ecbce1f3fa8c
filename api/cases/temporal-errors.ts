import { ApplicationFailure, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { REFUSALS } from '../../cases';
import { HttpProblem } from '../problem';

const REFUSAL_CODES = new Set<string>(Object.values(REFUSALS));

/** A workflow's refusal (update validator) is the citizen's 409; an unreachable Temporal is a 503. */
export function problemFromTemporal(error: unknown, what: string): HttpProblem {
  // The case's own refusal (cases/ REFUSALS): its code and Chinese message, and what won instead.
  if (
    error instanceof WorkflowUpdateFailedError &&
    error.cause instanceof ApplicationFailure &&
    REFUSAL_CODES.has(error.cause.type ?? '')
  ) {
    const details = error.cause.details?.[0];
    return new HttpProblem(
      409,
      error.cause.type as string,
      '案件拒绝了该请求',
      error.cause.message,
      details && typeof details === 'object' ? (details as Record<string, unknown>) : {},
    );
  }
  if (error instanceof WorkflowUpdateFailedError) {
    const cause = error.cause instanceof Error ? error.cause.message : error.message;
    return new HttpProblem(409, 'CASE_REFUSED', 'Refused', cause);
  }
  if (error instanceof WorkflowNotFoundError) {
    return new HttpProblem(
      409,
      'CASE_CLOSED',
      'Case closed',
      `the case has ended; ${what} is no longer possible`,
    );
  }
  return new HttpProblem(
    503,
    'WORKFLOW_UNAVAILABLE',
    'Workflow service unavailable',
    `${what} was not applied; try again later`,
  );
}

/** Awaits a signal or update to a case workflow, answering its failure as problem+json. */
export async function applied(message: Promise<unknown>, what: string): Promise<void> {
  try {
    await message;
  } catch (error) {
    throw problemFromTemporal(error, what);
  }
}
