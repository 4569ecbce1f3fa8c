import type { Orm } from '../db/orm';

export interface ActivityDeps {
  orm: Orm;
}

/**
 * The activities of every case, built over their dependencies (never a global connection). Each
 * activity forks its own EntityManager from `deps.orm`. Case activities land here with their workflows.
 */
export function createActivities(_deps: ActivityDeps) {
  return {};
}

export type Activities = ReturnType<typeof createActivities>;
