import {
  ActivityFailure,
  ApplicationFailure,
  ChildWorkflowFailure,
  TimeoutFailure,
} from '@temporalio/common';
import { timedOut } from '../../workflows/lib/timed-out';

/** Which failures of the settlement child the stay answers as SETTLEMENT_TIMEOUT (and raises a `timeout` ticket for). */
const child = (cause: Error) =>
  new ChildWorkflowFailure(
    'default',
    { workflowId: 'settlement-X', runId: 'r' },
    'settlementWorkflow',
    'NON_RETRYABLE_FAILURE',
    cause,
  );
const activity = (retryState: ConstructorParameters<typeof ActivityFailure>[3], cause?: Error) =>
  new ActivityFailure('Activity task failed', 'recordSettlement', '1', retryState, 'local', cause);

test('retries exhausted or a start-to-close timeout of the settlement step is a timeout; bad data and refusals are not', () => {
  expect(timedOut(child(activity('MAXIMUM_ATTEMPTS_REACHED', new Error('connection refused'))))).toBe(true);
  expect(timedOut(child(activity('TIMEOUT')))).toBe(true);
  expect(
    timedOut(
      child(
        activity('NON_RETRYABLE_FAILURE', new TimeoutFailure('start-to-close', undefined, 'START_TO_CLOSE')),
      ),
    ),
  ).toBe(true);
  expect(timedOut(child(new TimeoutFailure('run timeout', undefined, 'START_TO_CLOSE')))).toBe(true);
  const badData = ApplicationFailure.create({ type: 'InvalidData', message: 'ledger', nonRetryable: true });
  expect(timedOut(child(activity('NON_RETRYABLE_FAILURE', badData)))).toBe(false);
  expect(timedOut(activity('MAXIMUM_ATTEMPTS_REACHED'))).toBe(false);
  expect(timedOut(badData)).toBe(false);
});
