import {
  CASE_TYPES,
  DECISIONS,
  FILING_CATEGORIES,
  FILING_STATUSES,
  LABELS,
  LONG_TERM_CATEGORIES,
  REFERRAL_STATUSES,
  TASK_KINDS,
  TASK_ROLES,
  TASK_STATUSES,
} from '../cases';

/** The vocabulary the UI renders with: every code list of `cases/` and its Chinese labels, in one answer. */
export function vocabulary() {
  return {
    case_types: CASE_TYPES,
    filing_categories: FILING_CATEGORIES,
    /** The long-term categories: no end date, and a change lock once in force. */
    long_term_categories: LONG_TERM_CATEGORIES,
    filing_statuses: FILING_STATUSES,
    referral_statuses: REFERRAL_STATUSES,
    task_statuses: TASK_STATUSES,
    task_roles: TASK_ROLES,
    decisions: DECISIONS,
    task_kinds: TASK_KINDS,
    labels: LABELS,
  };
}
