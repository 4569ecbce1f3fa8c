/** Element Plus tag colours per status. */
export const statusType: Record<string, 'primary' | 'success' | 'info' | 'warning' | 'danger'> = {
  SUBMITTED: 'info',
  UNDER_REVIEW: 'warning',
  ACTIVE: 'success',
  REJECTED: 'danger',
  EXPIRED: 'info',
  CANCELLED: 'info',
  REVOKED: 'danger',
  NEEDS_ATTENTION: 'warning',
  MORE_INFO: 'warning',
  APPROVED: 'success',
  open: 'primary',
  claimed: 'warning',
  escalated: 'danger',
  decided: 'success',
  cancelled: 'info',
};
