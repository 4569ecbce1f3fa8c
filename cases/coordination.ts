/**
 * 问题协同 (settlement-error tickets), 费用协查 (fee checks) and 清算 (monthly clearing) with 预付金: the
 * contract between the coordinators' API (`api/coordination/`), the workflows (`settlementError`,
 * `feeCheckBatch`, `clearing`), the stay workflow that waits on a ticket, and the coordinator screens.
 * Two provinces share each of these: the insured place (参保地, pays) and the treatment place (就医地,
 * is owed). A coordinator sees one only when one of the two provinces is theirs (a third gets 404).
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { StayRefusalCode, StayStatus } from './hospitalization';

/** Which of the two provinces: 参保地 or 就医地. */
export type Side = 'insured' | 'treatment';
export const SIDES: readonly Side[] = ['insured', 'treatment'];

// ── 问题协同: settlement-error tickets ─────────────────────────────────────────────────────────────

/**
 * The classified reasons a settlement fails (brief §7), each with the side that answers first
 * (第一响应人): the insured place owns filings, person data and policy; the treatment place owns the
 * catalogue mapping, the hospital and the interface.
 */
export const TICKET_CATEGORIES = {
  filing_missing: { first_responder: 'insured' },
  filing_expired: { first_responder: 'insured' },
  filing_area_mismatch: { first_responder: 'insured' },
  person_not_found: { first_responder: 'insured' },
  person_status_abnormal: { first_responder: 'insured' },
  policy_missing: { first_responder: 'insured' },
  inpatient_elsewhere: { first_responder: 'treatment' },
  catalogue_unmapped: { first_responder: 'treatment' },
  price_over_limit: { first_responder: 'treatment' },
  timeout: { first_responder: 'treatment' },
  reversal_failed: { first_responder: 'treatment' },
  duplicate_settlement: { first_responder: 'treatment' },
  reconciliation_mismatch: { first_responder: 'treatment' },
  /** Raised by hand with a description; routed to the treatment place, which may hand it over. */
  other: { first_responder: 'treatment' },
} as const satisfies Record<string, { first_responder: Side }>;
export type TicketCategory = keyof typeof TICKET_CATEGORIES;
export const TICKET_CATEGORY_NAMES = Object.keys(TICKET_CATEGORIES) as TicketCategory[];

/** The stay refusals of 2304 that raise a ticket by themselves, and the category they raise. */
export const REFUSAL_TICKET_CATEGORY: Partial<Record<StayRefusalCode, TicketCategory>> = {
  FILING_REQUIRED: 'filing_missing',
  FILING_AREA_MISMATCH: 'filing_area_mismatch',
  PERSON_NOT_INSURED: 'person_status_abnormal',
  INPATIENT_ELSEWHERE: 'inpatient_elsewhere',
  CATALOGUE_CODE_UNMAPPED: 'catalogue_unmapped',
  NO_POLICY: 'policy_missing',
  FILING_EXPIRED: 'filing_expired',
  PERSON_RECORD_MISSING: 'person_not_found',
  PRICE_OVER_LIMIT: 'price_over_limit',
  SETTLEMENT_TIMEOUT: 'timeout',
  REVERSAL_FAILED: 'reversal_failed',
  DUPLICATE_SETTLEMENT: 'duplicate_settlement',
};

/**
 * OPEN: the first responder works it (the other side assists). RESOLVED: the stay settled after an
 * action (补记账) or the hospital's own retry. MANUAL: converted to 手工报销. WITHDRAWN: raised by mistake.
 */
export const TICKET_STATUSES = ['OPEN', 'RESOLVED', 'MANUAL', 'WITHDRAWN'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/** What a coordinator can do on a ticket, and which side may do it. */
export const TICKET_ACTIONS = {
  /** The filing deleted or lost on the insured side is restored from its record (补录), and re-sent. */
  restore_filing: { by: ['insured'] },
  /** The active filing is sent again to the treatment place (the other side never received it). */
  resend_filing: { by: ['insured'] },
  correct_person: { by: ['insured'] },
  remap_catalogue: { by: ['treatment'] },
  /** Retry the settlement now (补记账): the waiting stay settles by itself; the ticket resolves if it does. */
  retry_settlement: { by: ['insured', 'treatment'] },
  /** 手工报销: the stay leaves direct settlement; a manual claim case opens at the insured place. */
  convert_manual: { by: ['insured'] },
  /** The first responder passes the ticket to the other side (wrongly routed). */
  hand_over: { by: ['insured', 'treatment'] },
  withdraw: { by: ['insured', 'treatment'] },
} as const satisfies Record<string, { by: readonly Side[] }>;
export type TicketAction = keyof typeof TICKET_ACTIONS;

/** correct_person: the person fields the insured side may correct from its records, and their values (null: any). */
export const TICKET_PERSON_FIELDS: Readonly<Record<string, readonly string[] | null>> = {
  insu_status: ['active', 'suspended', 'terminated'],
  psn_type: ['in_service', 'retired'],
  psn_name: null,
};

/** Rounds of tickets raised by hand or by another case (清算) start here, so they never meet the stay's own. */
export const HAND_RAISED_FROM = 51;

/** `SE` + the stay's mdtrt_id + a two-digit round: one ticket per failed settlement round. */
export function ticketId(mdtrt_id: string, round: number): string {
  return `SE${mdtrt_id}${String(round).padStart(2, '0')}`;
}
export function ticketWorkflowId(ticket_id: string): string {
  return `settlement-error-${ticket_id}`;
}

export interface TicketStart {
  ticket_id: string;
  mdtrt_id: string;
  category: TicketCategory;
  /** The failure in the words the stay or the raiser gave it. */
  description: string;
  insuplc_admdvs: string;
  mdtrtarea_admvs: string;
  fixmedins_code: string;
  psn_no: string;
  raised_by: { role: 'system' | 'hospital' | 'coordinator'; user: string | null; side: Side | null };
  /** ISO instant. */
  raised_at: string;
}

/** An action as a coordinator sends it; `action_id` is the update id, so a resend is applied once. */
export interface TicketActionRequest {
  action_id: string;
  action: TicketAction;
  side: Side;
  user: string;
  note: string | null;
  /** Per action: remap_catalogue `{ medins_list_codg, med_list_codg }`, correct_person `{ field, value }`. */
  params: Record<string, string>;
}

export interface TicketState {
  ticket_id: string;
  status: TicketStatus;
  first_responder: Side;
  category: TicketCategory;
  /** The stay's settlement attempts since the ticket opened, with their outcome in Chinese. */
  retries: { at: string; ok: boolean; message: string }[];
}

export const ticketActionUpdate = defineUpdate<TicketState, [TicketActionRequest]>('ticketAction');
export const ticketStateQuery = defineQuery<TicketState>('ticketState');
/** The stay tells its ticket how a settlement attempt went (its own retry, or the hospital's 2304). */
export const settlementAttemptSignal =
  defineSignal<[{ at: string; ok: boolean; message: string }]>('settlementAttempt');
/**
 * The ticket tells the waiting stay to settle again (补记账) or to leave direct settlement (手工报销);
 * a ticket raised by hand tells the stay it is open (`opened`: the stay's attempts go to it), and a
 * withdrawn one that it is gone (`withdrawn`: the stay's next failure raises a new one).
 */
export const ticketResolutionSignal =
  defineSignal<
    [
      {
        ticket_id: string;
        resolution: 'retry' | 'manual' | 'opened' | 'withdrawn';
        by: string;
        note: string | null;
      },
    ]
  >('ticketResolution');

// ── 费用协查: fee checks ───────────────────────────────────────────────────────────────────────────

/**
 * REQUESTED by the insured side (a settled stay at or above the threshold) → BATCHED when the month's
 * requests freeze (day `freeze_day`) → ANSWERED by the treatment side per item → CONFIRMED by the insured
 * side. A request not answered by the batch's due date is ROLLED_OVER into the next batch and flagged.
 */
export const FEE_CHECK_STATUSES = ['REQUESTED', 'BATCHED', 'ANSWERED', 'CONFIRMED', 'ROLLED_OVER'] as const;
export type FeeCheckStatus = (typeof FEE_CHECK_STATUSES)[number];
/** 核查无误 / 核查有误 (with a reason and the amount wrongly charged, in fen). */
export const FEE_CHECK_OUTCOMES = ['correct', 'incorrect'] as const;
export type FeeCheckOutcome = (typeof FEE_CHECK_OUTCOMES)[number];
export const FEE_CHECK_BATCH_STATUSES = ['OPEN', 'FROZEN', 'ANSWERED', 'CLOSED'] as const;
export type FeeCheckBatchStatus = (typeof FEE_CHECK_BATCH_STATUSES)[number];

/** One batch per province pair and month: `FC-<insured prov>-<treatment prov>-<YYYYMM>`. */
export function feeCheckBatchId(insured_prov: string, treatment_prov: string, month: string): string {
  return `FC-${insured_prov}-${treatment_prov}-${month.replace('-', '')}`;
}

// ── 清算 and 预付金 ─────────────────────────────────────────────────────────────────────────────────

/** Brief §6: GENERATED → CONFIRMED (both sides) → TRANSFERRED → RECONCILED; DISPUTED links fee checks/tickets. */
export const CLEARING_STATUSES = ['GENERATED', 'CONFIRMED', 'DISPUTED', 'TRANSFERRED', 'RECONCILED'] as const;
export type ClearingStatus = (typeof CLEARING_STATUSES)[number];
export const ADVANCE_FUND_LEVELS = ['normal', 'yellow', 'red'] as const;
export type AdvanceFundLevel = (typeof ADVANCE_FUND_LEVELS)[number];

/** `clearing-<YYYY-MM>`: one run per month; a second is refused (Temporal's id reuse and a unique key). */
export function clearingWorkflowId(clr_month: string): string {
  return `clearing-${clr_month}`;
}
/** The Temporal Schedule that starts each month's run (day 1, 02:00 Asia/Shanghai, for the month before). */
export const CLEARING_SCHEDULE_ID = 'clearing-monthly';
/** A province pair's statement of a month: `<insured prov>-<treatment prov>`. */
export function clearingPairId(insured_prov: string, treatment_prov: string): string {
  return `${insured_prov}-${treatment_prov}`;
}

// ── Read views (GET /api/v1/tickets…, /fee-checks…, /clearing…, /advance-funds, /monitoring) ──────

export type SlaState = 'on_time' | 'due_soon' | 'overdue' | 'met';

export interface TicketSummary {
  ticket_id: string;
  mdtrt_id: string;
  category: TicketCategory;
  status: TicketStatus;
  first_responder: Side;
  /** Province codes (2 digits + 0000) of both sides. */
  insured_prov: string;
  treatment_prov: string;
  insuplc_admdvs: string;
  mdtrtarea_admvs: string;
  fixmedins_code: string;
  fixmedins_name: string;
  /** Masked for coordinators (张*). */
  psn_name: string;
  description: string;
  raised_by: TicketStart['raised_by'];
  raised_at: string;
  /** The first responder's SLA. */
  sla: { due_at: string; state: SlaState };
  updated_at: string;
}

export interface TicketSideView {
  side: Side;
  prov_admdvs: string;
  task_id: string | null;
  task_status: string | null;
  due_at: string | null;
  escalated: boolean;
}

export interface TicketCommentView {
  comment_id: string;
  side: Side;
  author: string;
  author_name: string;
  text: string;
  at: string;
  attachments: { document_id: string; filename: string; content_type: string; size: number }[];
}

export interface TicketActionView {
  action_id: string;
  action: TicketAction;
  side: Side;
  by: string;
  by_name: string;
  note: string | null;
  params: Record<string, string>;
  at: string;
  /** What came of it, in Chinese ("已恢复备案 …", "重新结算成功 …"). */
  outcome: string;
}

export interface TicketView extends TicketSummary {
  sides: TicketSideView[];
  comments: TicketCommentView[];
  actions: TicketActionView[];
  /** The actions the viewer's side may take now (empty when closed or for a reader). */
  allowed_actions: TicketAction[];
  /** The viewer's side, or null (staff, supervisor, hospital). */
  viewer_side: Side | null;
  /** The stuck stay, live. */
  stay: {
    mdtrt_id: string;
    status: StayStatus;
    medfee_sumamt: number;
    begntime: string;
    endtime: string | null;
  };
  retries: TicketState['retries'];
  timeline: { at: string; event: string; text: string; actor: string | null }[];
}

export interface TicketBoard {
  items: TicketSummary[];
  counts: {
    by_status: Partial<Record<TicketStatus, number>>;
    by_category: Partial<Record<TicketCategory, number>>;
    by_sla: Partial<Record<SlaState, number>>;
    by_first_responder: Partial<Record<Side, number>>;
  };
}

export interface FeeCheckItemView {
  feedetl_sn: string;
  med_list_codg: string;
  list_name: string | null;
  det_item_fee_sumamt: number;
  outcome: FeeCheckOutcome | null;
  reason: string | null;
  /** 核查有误: the amount wrongly charged (fen), recovered through the ledger once confirmed. */
  amount: number | null;
  answered_at: string | null;
}

/** A settlement the insured side may open a fee check on (at or above the threshold, none yet). */
export interface FeeCheckCandidateView {
  setl_id: string;
  mdtrt_id: string;
  psn_no: string;
  /** Masked, as on the clearing drill-down. */
  psn_name: string;
  fixmedins_code: string;
  fixmedins_name: string;
  medfee_sumamt: number;
  setl_time: string;
}

export interface FeeCheckView {
  check_id: string;
  setl_id: string;
  mdtrt_id: string;
  status: FeeCheckStatus;
  insured_prov: string;
  treatment_prov: string;
  fixmedins_name: string;
  medfee_sumamt: number;
  reason: string;
  batch_id: string | null;
  /** Rolled over from an earlier batch (answered late). */
  rolled_over: boolean;
  requested_by: string;
  requested_at: string;
  answer_due: string | null;
  confirm_due: string | null;
  items: FeeCheckItemView[];
  /** Σ amount of the confirmed 核查有误 items. */
  recovered: number;
}

export interface FeeCheckBatchView {
  batch_id: string;
  insured_prov: string;
  treatment_prov: string;
  month: string;
  status: FeeCheckBatchStatus;
  frozen_at: string | null;
  answer_due: string | null;
  checks: FeeCheckView[];
}

/** One line of a pair's statement: per insurance type, with 医疗救助 (maf_pay) on its own line. */
export interface ClearingLine {
  insutype: string;
  /** 'fund' (统筹基金等), 'acct' (个人账户), 'maf' (医疗救助). */
  fund: 'fund' | 'acct' | 'maf';
  settlements: number;
  reversals: number;
  medfee_sumamt: number;
  amount: number;
}

export interface ClearingStatementView {
  clr_month: string;
  pair_id: string;
  insured_prov: string;
  treatment_prov: string;
  status: ClearingStatus;
  lines: ClearingLine[];
  /** What the insured province owes the treatment province for the month (Σ lines.amount). */
  owed: number;
  /** Held back for fee checks not yet confirmed, and deducted for confirmed 核查有误. */
  held_back: number;
  recovered: number;
  /** Holds of earlier months given back with their checks' recoveries (fen). */
  released: number;
  /** After netting with the opposite direction of the pair (positive: insured → treatment). */
  net_transfer: number;
  /** Transferred but not reconciled with the settlements: why (a task is open for the insured side). */
  reconcile_problem: string | null;
  confirmations: { side: Side; by: string | null; at: string | null; task_id: string | null }[];
  confirm_due: string | null;
  disputes: { side: Side; reason: string; fee_check_ids: string[]; ticket_ids: string[]; at: string }[];
  transfer: { amount: number; at: string; by: string; reference: string } | null;
  /** The insured side's re-checks and supplementary transfers (补拨/退回) on a flagged reconciliation. */
  reconcile_actions: {
    action: 'recheck' | 'supplement' | 'ticket';
    amount: number;
    reference: string | null;
    by: string;
    at: string;
    reconciled: boolean;
    problem: string | null;
  }[];
}

export interface AdvanceFundView {
  /** The insured province that advanced the fund to the treatment province. */
  insured_prov: string;
  treatment_prov: string;
  granted: number;
  used: number;
  balance: number;
  usage_ppm: number;
  level: AdvanceFundLevel;
  top_up: number;
  top_up_requests: { requested_at: string; amount: number; status: string }[];
}

export interface MonitoringView {
  from: string;
  to: string;
  /** Cross-province inpatient costs settled directly ÷ all (direct + 手工报销), ppm; national target ≥ 70%. */
  direct_settlement_rate_ppm: number;
  months: {
    month: string;
    direct_amount: number;
    manual_amount: number;
    settlements: number;
    failures: number;
  }[];
  failures_by_category: Partial<Record<TicketCategory, number>>;
  failures_by_pair: { insured_prov: string; treatment_prov: string; count: number }[];
  /** Tickets closed within their first responder's SLA ÷ closed tickets, ppm. */
  ticket_sla_compliance_ppm: number;
  advance_funds: AdvanceFundView[];
}

// ── 手工报销: a stay converted from direct settlement ─────────────────────────────────────────────

/**
 * Why the ticket workflow refuses an action (its validator's failure `type`, the API's problem code):
 * the ticket has closed, the action is not this side's, not an action at all, or its params are wrong.
 */
export const TICKET_REFUSALS = {
  TICKET_CLOSED: 'TICKET_CLOSED',
  TICKET_WRONG_SIDE: 'TICKET_WRONG_SIDE',
  TICKET_ACTION_UNKNOWN: 'TICKET_ACTION_UNKNOWN',
  TICKET_PARAMS_INVALID: 'TICKET_PARAMS_INVALID',
  /** The stay could not be told (its workflow has ended or is gone): nothing was changed on the ticket. */
  TICKET_STAY_UNREACHABLE: 'TICKET_STAY_UNREACHABLE',
} as const;
export type TicketRefusalCode = (typeof TICKET_REFUSALS)[keyof typeof TICKET_REFUSALS];

/**
 * UNDER_REVIEW by the insured province's staff → PAID (through the ledger) | REJECTED; CAP_EXHAUSTED when,
 * at payment, the annual caps leave nothing of the approved amount (other stays of the person used them).
 */
export const MANUAL_CLAIM_STATUSES = ['UNDER_REVIEW', 'PAID', 'REJECTED', 'CAP_EXHAUSTED'] as const;
export type ManualClaimStatus = (typeof MANUAL_CLAIM_STATUSES)[number];

export interface ManualClaimStart {
  mdtrt_id: string;
  ticket_id: string;
  psn_no: string;
  insuplc_admdvs: string;
  /** Who converted the stay (the insured side's coordinator). */
  converted_by: string;
  note: string | null;
  at: string;
}

/** `manual-claim-<mdtrt_id>`: one manual claim per stay. */
export function manualClaimWorkflowId(mdtrt_id: string): string {
  return `manual-claim-${mdtrt_id}`;
}
