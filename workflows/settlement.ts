import {
  getExternalWorkflowHandle,
  ParentClosePolicy,
  patched,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { StayForSettlement } from '../activities/settlement';
import type { StayRefusal } from '../activities/stay';
import {
  type CompensationStart,
  compensationWorkflowId,
  type ReversalResult,
  type SettlementResult,
  settlementReversedSignal,
  WORKFLOW_TYPES,
} from '../cases';
import { localDb, db as remoteDb } from './_shared';

/** Settlements started since record as a local activity (exactly once by request_key, so safe to run again). */
export const SETTLEMENT_LOCAL_PATCH = 'settlement-local';

/** Reversals since signal the reversed settlement's 待遇补差 comparison (an open one closes WITHDRAWN). */
export const REVERSAL_CLOSES_COMPENSATION_PATCH = 'reversal-closes-compensation';

export type SettlementStart =
  | { op: 'settle'; setl_id: string; stay: StayForSettlement; setl_time: string }
  | { op: 'reverse'; setl_id: string; original_setl_id: string; setl_time: string };

export type SettlementOutcome =
  | { op: 'settle'; result: SettlementResult }
  | { op: 'reverse'; result: ReversalResult }
  | StayRefusal;

/** `settlement-<setl_id>`: one execution per settlement or reversal; its id is the record's unique key. */
export function settlementWorkflowId(setl_id: string): string {
  return `settlement-${setl_id}`;
}

/**
 * 结算 / 结算撤销, a child of the stay: records the settlement (or its reversal) exactly once — the
 * activity's unique key is this workflow's id, so a retried activity finds what it wrote — then, after a
 * settlement, starts the 待遇补差 comparison, which outlives this workflow.
 */
export async function settlementWorkflow(input: SettlementStart): Promise<SettlementOutcome> {
  const request_key = workflowInfo().workflowId;
  const money = patched(SETTLEMENT_LOCAL_PATCH) ? localDb : remoteDb;
  if (input.op === 'reverse') {
    const r = await money.recordReversal({
      request_key,
      setl_id: input.setl_id,
      original_setl_id: input.original_setl_id,
      setl_time: input.setl_time,
    });
    if ('refused' in r) return r;
    if (patched(REVERSAL_CLOSES_COMPENSATION_PATCH)) {
      // The comparison of the reversed settlement, if still open, closes: nothing to compare any more.
      // (A paid gap went back in the reversal's transaction; a finished comparison ignores nothing.)
      try {
        await getExternalWorkflowHandle(compensationWorkflowId(input.original_setl_id)).signal(
          settlementReversedSignal,
          { setl_id: input.original_setl_id, reversed_by: input.setl_id, at: input.setl_time },
        );
      } catch {
        // The one way a signal fails: no running comparison (it ended, or never started), nothing to close.
      }
    }
    return { op: 'reverse', result: r };
  }
  const r = await money.recordSettlement({
    request_key,
    setl_id: input.setl_id,
    stay: input.stay,
    setl_time: input.setl_time,
  });
  if ('refused' in r) return r;
  const detected: CompensationStart = {
    setl_id: input.setl_id,
    mdtrt_id: input.stay.mdtrt_id,
    psn_no: input.stay.psn_no,
    insuplc_admdvs: input.stay.insuplc_admdvs,
    origin: 'detected',
    applied_by: null,
    at: input.setl_time,
  };
  try {
    await startChild(WORKFLOW_TYPES.compensation, {
      workflowId: compensationWorkflowId(input.setl_id),
      parentClosePolicy: ParentClosePolicy.ABANDON,
      args: [detected],
    });
  } catch (error) {
    // Already started for this settlement (the citizen applied first): one comparison per settlement.
    // (@temporalio/common's WorkflowExecutionAlreadyStartedError, known here by name only.)
    if (!(error instanceof Error && error.name === 'WorkflowExecutionAlreadyStartedError')) throw error;
  }
  return { op: 'settle', result: r };
}
