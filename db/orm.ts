import { MikroORM, type Options } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { entities } from './entities';
import { migrationsList } from './migrations';

export type Orm = MikroORM<PostgreSqlDriver>;

/** The one MikroORM configuration: every process (start, worker, api, tests, scripts) builds it here. */
export function ormOptions(clientUrl: string, opts: { authoring?: boolean } = {}): Options<PostgreSqlDriver> {
  return {
    driver: PostgreSqlDriver,
    clientUrl,
    entities,
    extensions: [Migrator],
    // Entities are EntitySchema objects, so no reflection or decorator metadata is needed.
    discovery: { warnWhenNoEntities: true },
    migrations: {
      tableName: 'mikro_orm_migrations',
      path: 'db/migrations',
      pathTs: 'db/migrations',
      migrationsList,
      transactional: true,
      allOrNothing: true,
      // The schema snapshot is for authoring migrations only: MikroORM would otherwise rewrite the
      // tracked snapshot file each time a start or a test applies migrations.
      snapshot: opts.authoring ?? false,
      emit: 'ts',
      snapshotName: '.snapshot-yidi',
      silent: true,
    },
    pool: { min: 0, max: 10 },
    // A request or activity must fork its own EntityManager; the global one is never used for work.
    allowGlobalContext: false,
    debug: false,
  };
}

/** `connect: false` opens lazily, for a server that may be down now (health checks report it). */
export async function openOrm(
  clientUrl: string,
  opts: { connect?: boolean; authoring?: boolean } = {},
): Promise<Orm> {
  return MikroORM.init<PostgreSqlDriver>({ ...ormOptions(clientUrl, opts), connect: opts.connect ?? true });
}

/** Applies pending migrations; returns the names applied. */
export async function migrate(orm: Orm): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((m) => m.name);
}
