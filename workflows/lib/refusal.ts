import { ApplicationFailure } from '@temporalio/workflow';
import type { RefusalCode, StayRefusalCode, TicketRefusalCode } from '../../cases';

/**
 * A case refusing a message (thrown by an update validator): the failure `type` is the stable code the
 * API answers the person with, the message is Chinese, and `details` name what won instead.
 */
export function refusal(
  code: RefusalCode | StayRefusalCode | TicketRefusalCode,
  message: string,
  details?: Record<string, unknown>,
): ApplicationFailure {
  return ApplicationFailure.create({
    type: code,
    message,
    nonRetryable: true,
    details: details ? [details] : undefined,
  });
}
