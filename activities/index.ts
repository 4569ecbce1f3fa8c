import type { ActivityDeps } from './deps';
import { insuredStatusActivities } from './insured-status';
import { projectionActivities } from './projection';
import { referralSnActivities } from './referral-sn';
import { taskActivities } from './tasks';

export type { ActivityDeps } from './deps';

/**
 * The activities of every case, built over their dependencies (never a global connection). Each
 * activity forks its own EntityManager from `deps.orm`.
 */
export function createActivities(deps: ActivityDeps) {
  return {
    ...insuredStatusActivities(deps),
    ...projectionActivities(deps),
    ...taskActivities(deps),
    ...referralSnActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
