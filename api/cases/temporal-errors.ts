import { ApplicationFailure, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { REFUSALS, type RefusalCode, TICKET_REFUSALS } from '../../cases';
import { cnDatesIn, HttpProblem, RETRY_AFTER_SECONDS } from '../problem';
import { PROBLEM_CODES } from '../problem-codes';

const REFUSAL_CODES = new Set<string>([...Object.values(REFUSALS), ...Object.values(TICKET_REFUSALS)]);

/** A workflow's refusal (update validator) is the citizen's 409; an unreachable Temporal is a 503. */
export function problemFromTemporal(error: unknown, what: string): HttpProblem {
  // The case's own refusal (cases/ REFUSALS): its code and Chinese message, and what won instead.
  if (
    error instanceof WorkflowUpdateFailedError &&
    error.cause instanceof ApplicationFailure &&
    REFUSAL_CODES.has(error.cause.type ?? '')
  ) {
    const details = error.cause.details?.[0];
    const code = error.cause.type as RefusalCode;
    return new HttpProblem(
      PROBLEM_CODES[code].status === 400 && code.startsWith('TICKET_') ? 400 : 409,
      code,
      '案件拒绝了该请求',
      cnDatesIn(error.cause.message),
      details && typeof details === 'object' ? (details as Record<string, unknown>) : {},
    );
  }
  if (error instanceof WorkflowUpdateFailedError) {
    const cause = error.cause instanceof Error ? error.cause.message : error.message;
    return new HttpProblem(409, 'CASE_REFUSED', `${what}未被受理`, cnDatesIn(cause));
  }
  if (error instanceof WorkflowNotFoundError) {
    return new HttpProblem(409, 'CASE_CLOSED', '案件已结束', `案件已办结，不能再${what}`);
  }
  return new HttpProblem(
    503,
    'WORKFLOW_UNAVAILABLE',
    '工作流服务暂时不可用',
    `${what}未执行，请稍后重试`,
    {},
    RETRY_AFTER_SECONDS,
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
