import { clearingActivities } from './clearing';
import { compensationActivities } from './compensation';
import type { ActivityDeps } from './deps';
import { classified } from './errors';
import { feeCheckActivities } from './fee-check';
import { insuredStatusActivities } from './insured-status';
import { manualClaimActivities } from './manual-claim';
import { projectionActivities } from './projection';
import { referralSnActivities } from './referral-sn';
import { settlementActivities } from './settlement';
import { stayActivities } from './stay';
import { taskActivities } from './tasks';
import { ticketActivities } from './tickets';

export type { ActivityDeps } from './deps';

/**
 * The activities of every case, built over their dependencies (never a global connection). Each
 * activity forks its own EntityManager from `deps.orm`; a failure that can never succeed (bad data, a
 * constraint) leaves as a non-retryable ApplicationFailure (`classified`).
 */
export function createActivities(deps: ActivityDeps) {
  return classified({
    ...insuredStatusActivities(deps),
    ...projectionActivities(deps),
    ...taskActivities(deps),
    ...referralSnActivities(deps),
    ...stayActivities(deps),
    ...settlementActivities(deps),
    ...compensationActivities(deps),
    ...feeCheckActivities(deps),
    ...ticketActivities(deps),
    ...manualClaimActivities(deps),
    ...clearingActivities(deps),
  });
}

export type Activities = ReturnType<typeof createActivities>;
