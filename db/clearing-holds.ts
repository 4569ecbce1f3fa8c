import type { EntityManager } from '@mikro-orm/postgresql';
import type { ClearingHold } from '../settlement/clearing-statement';

/**
 * Fee checks' effect on a pair's month: held back for checks not yet confirmed, recovered by
 * confirmed 核查有误. The seam between 清算 and 费用协查: nothing else of clearing reads fee-check tables.
 */
export async function clearingHolds(
  _em: EntityManager,
  _clr_month: string,
  _insured_prov: string,
  _treatment_prov: string,
): Promise<ClearingHold[]> {
  // Placeholder: the fee-check helper (branch feecheck) replaces this body with a query of its tables.
  return [];
}
