/**
 * The case state machines' vocabulary, shared by every layer (workflows, activities, db, api). Pure:
 * it imports nothing of ours, so no arrow can run back up from here.
 */

/** The case types: each is one workflow type (cases/coordination.ts has the last four's contract). */
export const CASE_TYPES = [
  'filing',
  'referral',
  'hospitalization',
  'compensation',
  'settlement_error',
  'manual_claim',
  'fee_check',
  'clearing',
] as const;
export type CaseType = (typeof CASE_TYPES)[number];

/** 备案类别 (规程第7条): three long-term and three temporary categories. */
export const FILING_CATEGORIES = [
  'retired_resettled', // 异地安置退休
  'long_term_residence', // 异地长期居住
  'resident_worker', // 常驻异地工作
  'referral', // 异地转诊
  'emergency', // 急诊抢救
  'other_temporary', // 其他临时外出
] as const;
export type FilingCategory = (typeof FILING_CATEGORIES)[number];

export const LONG_TERM_CATEGORIES: readonly FilingCategory[] = [
  'retired_resettled',
  'long_term_residence',
  'resident_worker',
];

export const FILING_STATUSES = [
  'SUBMITTED',
  'UNDER_REVIEW',
  'ACTIVE',
  'REJECTED',
  'EXPIRED',
  'CANCELLED',
  'REVOKED',
  /** A step failed for good (bad data, a constraint): staff must look; never a silent retry loop. */
  'NEEDS_ATTENTION',
] as const;
export type FilingStatus = (typeof FILING_STATUSES)[number];

export const REFERRAL_STATUSES = [
  'REQUESTED',
  'UNDER_REVIEW',
  'MORE_INFO',
  'APPROVED',
  'REJECTED',
  'WITHDRAWN',
  'REVOKED',
] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];

export const TASK_STATUSES = ['open', 'claimed', 'escalated', 'decided', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
/** A task still waiting for a person: it can be claimed, released, reassigned and decided. */
export const OPEN_TASK_STATUSES: readonly TaskStatus[] = ['open', 'claimed', 'escalated'];

export const DECISIONS = ['approve', 'reject', 'more_info', 'retry'] as const;
export type Decision = (typeof DECISIONS)[number];

/** Who acts on a task: handling staff first, their supervisors once the SLA lapsed. */
export const TASK_ROLES = ['staff', 'supervisor', 'coordinator'] as const;
export type TaskRole = (typeof TASK_ROLES)[number];

/** The side a task belongs to: a province and a role. A ticket shared by two provinces has one task per side. */
export interface TaskSide {
  prov_admdvs: string;
  role: TaskRole;
}

export interface TaskKindRule {
  /** The case type whose workflow opens tasks of this kind. */
  case_type: CaseType;
  /** The decisions a person may take on it. */
  decisions: readonly Decision[];
  /** The decisions that must say why (the citizen reads the reason). */
  reason_required: readonly Decision[];
}

/**
 * Every kind of human task. A new case type adds its kinds here; the task router, the decision rules
 * and the labels follow from this table.
 */
export const TASK_KINDS = {
  referral_review: {
    case_type: 'filing',
    decisions: ['approve', 'reject', 'more_info'],
    reason_required: ['reject', 'more_info'],
  },
  /** A case whose step failed for good: staff retry it once the data is fixed, or reject the case. */
  case_attention: { case_type: 'filing', decisions: ['retry', 'reject'], reason_required: ['reject'] },
  /** 待遇补差: the insured province's staff approve the recomputed gap for payment, or reject it. */
  compensation_review: {
    case_type: 'compensation',
    decisions: ['approve', 'reject'],
    reason_required: ['reject'],
  },
  /** 问题协同: the first responder's side works the ticket through ticket actions, not decisions. */
  ticket_response: { case_type: 'settlement_error', decisions: [], reason_required: [] },
  /** 问题协同: the other side's task on the same ticket (协助), with its own SLA. */
  ticket_assist: { case_type: 'settlement_error', decisions: [], reason_required: [] },
  /** 手工报销: the insured province's staff approve the manual claim of a stay that left direct settlement. */
  manual_claim_review: {
    case_type: 'manual_claim',
    decisions: ['approve', 'reject'],
    reason_required: ['reject'],
  },
  /** 费用协查: the treatment side answers a frozen batch per item (through the fee-check answers). */
  fee_check_answer: { case_type: 'fee_check', decisions: [], reason_required: [] },
  /** 费用协查: the insured side confirms the answers (approve) or disputes them (reject, with why). */
  fee_check_confirm: {
    case_type: 'fee_check',
    decisions: ['approve', 'reject'],
    reason_required: ['reject'],
  },
  /** 清算: each province confirms its pair's monthly statement (approve) or disputes it (reject, with why). */
  clearing_confirm: { case_type: 'clearing', decisions: ['approve', 'reject'], reason_required: ['reject'] },
  /** 清算: a transferred statement that does not reconcile with the settlements: someone must look. */
  clearing_reconcile: { case_type: 'clearing', decisions: [], reason_required: [] },
} as const satisfies Record<string, TaskKindRule>;
export type TaskKind = keyof typeof TASK_KINDS;
export const TASK_KIND_NAMES = Object.keys(TASK_KINDS) as TaskKind[];

export function isTaskKind(kind: string): kind is TaskKind {
  return Object.hasOwn(TASK_KINDS, kind);
}

/** Why a decision is not allowed on a task of this kind, or null when it is. */
export function decisionRuleViolation(
  kind: string,
  decision: Decision,
  reason: string | null | undefined,
): { code: 'DECISION_NOT_ALLOWED' | 'REASON_REQUIRED'; message: string } | null {
  const rule: TaskKindRule | undefined = isTaskKind(kind) ? TASK_KINDS[kind] : undefined;
  if (!rule?.decisions.includes(decision)) {
    return { code: 'DECISION_NOT_ALLOWED', message: `此类待办不能作出“${decision}”决定` };
  }
  if (rule.reason_required.includes(decision) && !reason?.trim()) {
    return { code: 'REASON_REQUIRED', message: '此决定须填写理由' };
  }
  return null;
}

/**
 * Failure types of activities that can never succeed by retrying (the same input fails the same way):
 * invalid data (PostgreSQL class 22), a constraint violation (class 23), an unknown person.
 */
export const NON_RETRYABLE_FAILURES = ['InvalidData', 'ConstraintViolation', 'PersonNotFound'] as const;
export type NonRetryableFailure = (typeof NON_RETRYABLE_FAILURES)[number];
