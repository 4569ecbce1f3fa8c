import { ConnectionException, LockWaitTimeoutException, MikroORM, type Options } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import { type DatabasePool, DEFAULT_DATABASE_POOL } from '../config';
import { entities } from './entities';
import { migrationsList } from './migrations';

export type Orm = MikroORM<PostgreSqlDriver>;

/** The one MikroORM configuration: every process (start, worker, api, tests, scripts) builds it here. */
export function ormOptions(
  clientUrl: string,
  opts: { authoring?: boolean; pool?: DatabasePool } = {},
): Options<PostgreSqlDriver> {
  const pool = opts.pool ?? DEFAULT_DATABASE_POOL;
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
    pool: { min: 0, max: pool.max },
    driverOptions: {
      // Fail fast when no connection frees up (a paused server, a burst): the API answers 503 at once.
      acquireConnectionTimeout: pool.acquireTimeoutMs,
      connection: {
        connectionTimeoutMillis: pool.acquireTimeoutMs,
        // Server-side limits, so a stuck statement or a forgotten transaction cannot pin a connection.
        statement_timeout: pool.statementTimeoutMs,
        idle_in_transaction_session_timeout: pool.idleInTransactionTimeoutMs,
      },
    },
    // A request or activity must fork its own EntityManager; the global one is never used for work.
    allowGlobalContext: false,
    debug: false,
  };
}

/** `connect: false` opens lazily, for a server that may be down now (health checks report it). */
export async function openOrm(
  clientUrl: string,
  opts: { connect?: boolean; authoring?: boolean; pool?: DatabasePool } = {},
): Promise<Orm> {
  return MikroORM.init<PostgreSqlDriver>({ ...ormOptions(clientUrl, opts), connect: opts.connect ?? true });
}

/** Applies pending migrations; returns the names applied. */
export async function migrate(orm: Orm): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((m) => m.name);
}

/** How the pool stands now: `used === max` with `pending > 0` is an exhausted pool, not a dead server. */
export interface PoolStats {
  max: number;
  used: number;
  free: number;
  pending: number;
}

interface TarnPool {
  max: number;
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
}

export function poolStats(orm: Orm): PoolStats | undefined {
  const pool = (orm.em.getConnection().getKnex().client as { pool?: TarnPool }).pool;
  if (!pool) return undefined; // not opened yet (lazy connect)
  return { max: pool.max, used: pool.numUsed(), free: pool.numFree(), pending: pool.numPendingAcquires() };
}

export function poolExhausted(stats: PoolStats | undefined): boolean {
  return stats !== undefined && stats.used >= stats.max && stats.pending > 0;
}

/**
 * `select 1` on a connection of its own, outside the pool: a busy pool must not make a healthy server
 * look unreachable (and a health probe must not queue behind the requests it reports on).
 */
export async function pingDatabase(clientUrl: string, timeoutMs = 1_500): Promise<void> {
  const client = new Client({
    connectionString: clientUrl,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
  });
  client.on('error', () => {}); // a server that drops the connection must not crash the process
  try {
    await client.connect();
    await client.query('select 1');
  } finally {
    await client.end().catch(() => {});
  }
}

// SQLSTATEs of a server that cannot serve now (shutting down, starting, too many clients, our own
// statement/idle timeouts), and socket errors of one that is not there.
const UNAVAILABLE_CODES = new Set([
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '57014',
  '25P03',
  '08000',
  '08001',
  '08003',
  '08006',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
]);

/** True for an error that means "the database cannot answer now" (retry later), not "this request is wrong". */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (e instanceof ConnectionException || e instanceof LockWaitTimeoutException) return true;
    if (e.name === 'KnexTimeoutError' || /Timeout acquiring a connection/.test(e.message)) return true;
    if (/Connection terminated|connect(ion)? timeout/i.test(e.message)) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
  }
  return false;
}
