/**
 * The message contracts between the API (the sender) and the case workflows (the receivers): one
 * definition of every update, query and payload, imported by both, so `api` never imports `workflows`.
 * `defineUpdate`/`defineQuery` only build named descriptors; they run the same inside and outside a
 * workflow.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Decision, FilingCategory, FilingStatus, ReferralStatus, TaskSide } from './types';

/** Workflow type names, for the API to start a case without importing workflow code. */
export const WORKFLOW_TYPES = {
  filing: 'filingWorkflow',
  hospitalization: 'hospitalizationWorkflow',
  settlement: 'settlementWorkflow',
  compensation: 'compensationWorkflow',
  settlementError: 'settlementErrorWorkflow',
  manualClaim: 'manualClaimWorkflow',
  feeCheckBatch: 'feeCheckBatchWorkflow',
  feeCheckFreeze: 'feeCheckFreezeWorkflow',
  clearing: 'clearingWorkflow',
} as const;

export interface FilingInput {
  /** The workflow id and business id: `filing-<psn_no>-<n>`. */
  filing_id: string;
  psn_no: string;
  category: FilingCategory;
  /** Treatment place (2501 body spelling). */
  mdtrtarea_admdvs: string;
  fixmedins_code: string | null;
  /** First day of validity (CST date); for 补备案 on or before the admission date. */
  begndate: string;
  /** Requested last day; temporary filings get the policy's validity when absent. */
  enddate: string | null;
  /** 承诺制: the citizen's personal commitment replaces proof of residence. */
  commitment: boolean;
  /** 急诊抢救 deemed filed at admission (视同已备案): the admission date. */
  emergency_adm_date: string | null;
  /**
   * 补备案: the stay this filing is made for, still unsettled. The hospitalization workflow starts the
   * filing with it before discharge settlement; the caller vouches the stay is unsettled.
   */
  retro: { mdtrt_id: string | null; adm_date: string } | null;
  referral: { refl_fil_type: string; summary: Record<string, unknown> } | null;
  form: Record<string, unknown>;
  submitted_by: string;
  /**
   * The insured province as the API found it: a case that fails before its insured-status check still
   * has a side for its attention task. The check's answer replaces it.
   */
  prov_admdvs?: string | null;
  /**
   * When the case was submitted, if earlier than the workflow's start (ISO instant): the case's clock
   * runs that far behind, so its timeline, SLAs and validity count from then. For demo data and
   * migrations of cases filed elsewhere; absent for a filing made now.
   */
  submitted_at?: string | null;
}

/** The review step of a case, as its detail view shows it. */
export interface ReviewState {
  status: ReferralStatus;
  round: number;
  task_id: string | null;
  escalated: boolean;
  due_at: string | null;
  questions: string | null;
}

export interface FilingState {
  status: FilingStatus;
  insuplc_admdvs: string | null;
  prov_admdvs: string | null;
  mdtrtarea_admdvs: string;
  fixmedins_code: string | null;
  begndate: string;
  enddate: string | null;
  trt_dcla_detl_sn: string | null;
  effective_at: string | null;
  reason: string | null;
  memo: string | null;
  deemed: boolean;
  /** Long-term filings cannot be changed or cancelled before this instant. */
  locked_until: string | null;
  /** The referral review, for a referral filing reviewed in this workflow (absent in older runs). */
  review?: ReviewState | null;
}

export interface ChangeRequest {
  mdtrtarea_admdvs?: string;
  fixmedins_code?: string | null;
  enddate?: string | null;
  memo: string;
  requested_by: string;
}
export interface CancelRequest {
  reason: string;
  requested_by: string;
}
/** 2502 撤销: revokes an approved referral filing by its serial. */
export interface RevokeRequest {
  trt_dcla_detl_sn: string;
  psn_no: string;
  memo: string;
  requested_by: string;
}

/** A staff decision, delivered only after the API stored it; `decision_id` is also the update id. */
export interface DecisionMessage {
  decision_id: string;
  task_id: string;
  decision: Decision;
  reason: string | null;
  decided_by: string;
  decided_at: string;
  /** The side the decider acted for (the task's side). */
  side?: TaskSide;
}

/** What the case answers an accepted decision with. */
export interface DecisionAccepted {
  task_id: string;
  decision: Decision;
  accepted: true;
}

/** The citizen's answer to a request for more information; `answer_id` is the update id. */
export interface MoreInfoAnswer {
  answer_id?: string;
  answer: string;
  documents: string[];
  answered_by: string;
}

/**
 * Why a case refuses a message: the `type` of the ApplicationFailure its validator throws, and the
 * problem `code` the API answers the person with (409).
 */
export const REFUSALS = {
  TASK_NOT_CURRENT: 'TASK_NOT_CURRENT',
  ALREADY_DECIDED: 'ALREADY_DECIDED',
  CASE_WITHDRAWN: 'CASE_WITHDRAWN',
  CASE_CLOSED: 'CASE_CLOSED',
  DECISION_NOT_ALLOWED: 'DECISION_NOT_ALLOWED',
  REASON_REQUIRED: 'REASON_REQUIRED',
  NO_MORE_INFO_PENDING: 'NO_MORE_INFO_PENDING',
  FILING_LOCKED: 'FILING_LOCKED',
  FILING_NOT_ACTIVE: 'FILING_NOT_ACTIVE',
  /** A cancellation that lost to a decision already taken (the decision is named in the details). */
  REVIEW_DECIDED: 'REVIEW_DECIDED',
  REVOKE_NOT_ALLOWED: 'REVOKE_NOT_ALLOWED',
} as const;
export type RefusalCode = (typeof REFUSALS)[keyof typeof REFUSALS];

export const changeFilingUpdate = defineUpdate<FilingState, [ChangeRequest]>('changeFiling');
export const cancelFilingUpdate = defineUpdate<FilingState, [CancelRequest]>('cancelFiling');
export const revokeReferralUpdate = defineUpdate<FilingState, [RevokeRequest]>('revokeReferral');
/** A staff decision on one of the case's tasks; the validator refuses a stale, duplicate or late one. */
export const decideUpdate = defineUpdate<DecisionAccepted, [DecisionMessage]>('decide');
/** The citizen's more-info answer; refused when no request for more information is waiting. */
export const answerMoreInfoUpdate = defineUpdate<ReviewState, [MoreInfoAnswer]>('answerMoreInfo');
export const filingStateQuery = defineQuery<FilingState>('filingState');
/** Signals of the first referral workflow (a child of the filing), kept for the runs still open. */
export const decideSignal = defineSignal<[DecisionMessage]>('decide');
export const answerMoreInfoSignal = defineSignal<[MoreInfoAnswer]>('answerMoreInfo');

export function referralIdOf(filing_id: string): string {
  return filing_id.replace(/^filing-/, 'referral-');
}
