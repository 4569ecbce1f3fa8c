import type { Orm } from '../db/orm';

export interface ActivityDeps {
  orm: Orm;
}
