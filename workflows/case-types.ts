/** The case state machines' vocabulary, shared by workflows (pure), projections and the API. */

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
export const DECISIONS = ['approve', 'reject', 'more_info'] as const;
export type Decision = (typeof DECISIONS)[number];
