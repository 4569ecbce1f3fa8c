// Parent/child, continue-as-new and external-handle workflows.
import {
  CancellationScope,
  ChildWorkflowFailure,
  continueAsNew,
  executeChild,
  getExternalWorkflowHandle,
  isCancellation,
  ParentClosePolicy,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { cancellable, failing, hello, waitForFinish } from './basics';
import { addItem } from './messages';

export async function parentOfHello(name: string): Promise<string> {
  const greeting = await executeChild(hello, {
    args: [name],
    workflowId: `${workflowInfo().workflowId}-child`,
  });
  return `child said: ${greeting}`;
}

/** The child fails; the parent lets the ChildWorkflowFailure fail itself. */
export async function parentOfFailing(): Promise<never> {
  return executeChild(failing, { args: ['child broke'], workflowId: `${workflowInfo().workflowId}-child` });
}

/** Cancels its child once started and reports how the child ended. */
export async function parentCancelsChild(): Promise<string> {
  const scope = new CancellationScope();
  const child = await scope.run(() =>
    startChild(cancellable, { args: ['rethrow'], workflowId: `${workflowInfo().workflowId}-child` }),
  );
  scope.cancel();
  try {
    await child.result();
    return 'child completed';
  } catch (err) {
    if (err instanceof ChildWorkflowFailure && isCancellation(err.cause)) return 'child cancelled';
    return `unexpected ${String(err)}`;
  }
}

/** Starts a long-running child with the given parent close policy and completes at once. */
export async function parentLeavesChild(policy: 'TERMINATE' | 'ABANDON'): Promise<string> {
  const child = await startChild(waitForFinish, {
    workflowId: `${workflowInfo().workflowId}-child`,
    parentClosePolicy: policy === 'TERMINATE' ? ParentClosePolicy.TERMINATE : ParentClosePolicy.ABANDON,
  });
  return child.workflowId;
}

/** Continues as new `n` times; the last run returns how many runs there were. */
export async function countdown(n: number, runs = 1): Promise<string> {
  if (n > 0) return continueAsNew<typeof countdown>(n - 1, runs + 1);
  return `done after ${runs} runs`;
}

export async function signalOther(targetId: string, item: string): Promise<void> {
  await getExternalWorkflowHandle(targetId).signal(addItem, item);
}

export async function cancelOther(targetId: string): Promise<void> {
  await getExternalWorkflowHandle(targetId).cancel();
}
