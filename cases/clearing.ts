/**
 * 清算: the messages between the API and the month's `clearing` workflow (beside the statuses, ids and
 * views of `coordination.ts`). One update carries every action on a pair's statement; its update id is
 * the request's idempotency key, so a resend is applied once.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ClearingStatus, Side, TicketStart } from './coordination';

export interface ClearingInput {
  /** YYYY-MM, the month cleared (its settlements and reversals by their CST time). */
  clr_month: string;
  /** A user, or `schedule` for the monthly run. */
  requested_by: string;
  /** Each side confirms within this many working days, then the side's supervisor within as many again. */
  confirm_working_days?: number;
}

export const CLEARING_ACTIONS = [
  'confirm',
  'dispute',
  'transfer',
  'reclear',
  'recheck',
  'supplement',
  'ticket',
] as const;
/** The insured side's actions on a flagged reconciliation (对账不平): 重新对账, 补拨/退回 then re-check. */
export const RECONCILE_ACTIONS = ['recheck', 'supplement', 'ticket'] as const;
export type ClearingAction = (typeof CLEARING_ACTIONS)[number];

export interface ClearingActionRequest {
  action_id: string;
  pair_id: string;
  action: ClearingAction;
  /** The acting side (confirm, dispute, transfer); null for staff re-clearing after a dispute. */
  side: Side | null;
  /** The acting user's province: it must be the side's province of the pair. */
  prov_admdvs: string;
  user: string;
  /** dispute: why, and the fee checks and tickets behind it. */
  reason?: string | null;
  fee_check_ids?: string[];
  ticket_ids?: string[];
  /** transfer: the bank or treasury reference of the payment (the amount is the statement's net). */
  reference?: string | null;
  /** supplement: fen added to the transfer, signed (补拨 > 0, 退回 < 0), with its reference. */
  amount?: number | null;
  /** ticket: the reconciliation_mismatch 问题协同 to start for one settlement of the pair (built by the API). */
  ticket?: TicketStart | null;
}

export interface ClearingPairState {
  pair_id: string;
  insured_prov: string;
  treatment_prov: string;
  status: ClearingStatus;
  round: number;
  net_transfer: number;
  confirmed: Side[];
  task_ids: Partial<Record<Side, string>>;
  confirm_due: string | null;
  /** Transferred but the reconciliation failed: why (the statement shows it, a task is open). */
  reconcile_problem?: string | null;
}

export interface ClearingState {
  clr_month: string;
  pairs: ClearingPairState[];
}

/** The stable codes a clearing run refuses with (catalogued in api/problem-codes.ts). */
export const CLEARING_REFUSALS = {
  MONTH_DONE: 'CLEARING_MONTH_DONE',
  NOT_FOUND: 'CLEARING_NOT_FOUND',
  WRONG_SIDE: 'CLEARING_WRONG_SIDE',
  CLOSED: 'CLEARING_CLOSED',
  NOT_ALLOWED: 'CLEARING_NOT_ALLOWED',
  OPPOSITE_CLOSED: 'CLEARING_OPPOSITE_CLOSED',
} as const;
export type ClearingRefusalCode = (typeof CLEARING_REFUSALS)[keyof typeof CLEARING_REFUSALS];

export const clearingActionUpdate = defineUpdate<ClearingPairState, [ClearingActionRequest]>(
  'clearingAction',
);
export const clearingStateQuery = defineQuery<ClearingState>('clearingState');

/** The Schedule's workflow: clears the month before the one it runs in (Asia/Shanghai). */
export const CLEARING_TRIGGER_WORKFLOW = 'clearingTriggerWorkflow';
