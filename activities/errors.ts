import { ApplicationFailure } from '@temporalio/common';

/** The named failure types activities raise; workflows and the API react to the type. */
export const FailureType = {
  PersonNotFound: 'PersonNotFound',
  UnknownTask: 'UnknownTask',
} as const;

export function personNotFound(psn_no: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: FailureType.PersonNotFound,
    message: `no insured person ${psn_no}`,
    nonRetryable: true,
  });
}
