import path from 'node:path';

/** Where cases are stored: the embedded server (data folder under the project) or a real PostgreSQL server. */
export type DatabaseTarget =
  | { kind: 'embedded'; dataDir: string; port: number }
  | { kind: 'external'; url: string };

/** Which Temporal the platform talks to: the embedded devserver, or a real cluster. */
export type TemporalTarget =
  /** dbFilename: the devserver's state file (unset: in memory). */
  { kind: 'embedded'; dbFilename?: string } | { kind: 'external'; address: string };

export interface Config {
  port: number;
  database: DatabaseTarget;
  temporal: TemporalTarget;
  namespace: string;
  taskQueue: string;
  /** Secret for signing API tokens; embedded runs derive one per data folder. */
  tokenSecret: string | undefined;
  databasePool: DatabasePool;
  /** A request not answered within this many ms is answered 503 with `Retry-After`. */
  requestTimeoutMs: number;
  /** The demo cases (`api/demo.ts`): seeded once after the worker is up, or removed and seeded afresh. */
  demo: 'off' | 'seed' | 'reset';
  /** The worker's `workflowThreadPoolSize`: threads running workflow activations. */
  workflowThreads: number;
}

/** How the API and worker hold PostgreSQL connections: a bounded pool that fails fast when it cannot serve. */
export interface DatabasePool {
  /** Connections per process (API and worker share one pool in `npm start`). */
  max: number;
  /** How long a query waits for a free connection before it fails (answered 503, not a 30 s hang). */
  acquireTimeoutMs: number;
  /** PostgreSQL `statement_timeout`: a statement running longer is cancelled by the server. */
  statementTimeoutMs: number;
  /** PostgreSQL `idle_in_transaction_session_timeout`: a transaction left idle is ended by the server. */
  idleInTransactionTimeoutMs: number;
}

export const DEFAULT_DATABASE_POOL: DatabasePool = {
  max: 10,
  acquireTimeoutMs: 2_000,
  statementTimeoutMs: 10_000,
  idleInTransactionTimeoutMs: 15_000,
};

export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/**
 * The SDK's one workflow thread. A second doubles bare one-activity workflows/s (`npm run bench
 * devserver`: x1.9) but not real cases, which wait on the main thread's API, devserver and activities
 * (`npm run bench e2e`: x0.89 and x0.96 cases/s, more CPU per case); a deployment whose workers run no
 * API or devserver may set more.
 */
export const DEFAULT_WORKFLOW_THREADS = 1;

/** A configuration mistake the operator must fix; `bin/` turns it into one line on stderr and exit 78. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** sysexits' EX_CONFIG: the process was configured wrongly. */
export const EXIT_CONFIG = 78;

export const projectRoot = path.resolve(__dirname, '..');

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // A variable set but empty is a mistake, not "unset": an empty YIDI_DATA_DIR would put the data in
  // the working directory, an empty DATABASE_URL would silently fall back to the embedded server.
  const dataRoot = path.resolve(
    nonEmpty('YIDI_DATA_DIR', env.YIDI_DATA_DIR) ?? path.join(projectRoot, '.data'),
  );
  const databaseUrl = nonEmpty('DATABASE_URL', env.DATABASE_URL);
  const temporalAddress = nonEmpty('TEMPORAL_ADDRESS', env.TEMPORAL_ADDRESS);
  return {
    port: parsePort('PORT', env.PORT, 3000, 0),
    database:
      databaseUrl !== undefined
        ? { kind: 'external', url: parseDatabaseUrl(databaseUrl) }
        : {
            kind: 'embedded',
            dataDir: path.join(dataRoot, 'postgres'),
            // PostgreSQL cannot pick a free port itself: 0 is refused here rather than at its start.
            port: parsePort('EMBEDDED_PG_PORT', env.EMBEDDED_PG_PORT, 54320, 1),
          },
    temporal:
      temporalAddress !== undefined
        ? { kind: 'external', address: parseTemporalAddress(temporalAddress) }
        : { kind: 'embedded', dbFilename: path.join(dataRoot, 'temporal', 'devserver.db') },
    namespace: nonEmpty('TEMPORAL_NAMESPACE', env.TEMPORAL_NAMESPACE) ?? 'default',
    taskQueue: nonEmpty('TEMPORAL_TASK_QUEUE', env.TEMPORAL_TASK_QUEUE) ?? 'yidi',
    tokenSecret: nonEmpty('YIDI_TOKEN_SECRET', env.YIDI_TOKEN_SECRET),
    databasePool: {
      max: parseCount('YIDI_DB_POOL_MAX', env.YIDI_DB_POOL_MAX, DEFAULT_DATABASE_POOL.max, 1, 1_000),
      acquireTimeoutMs: parseCount(
        'YIDI_DB_ACQUIRE_TIMEOUT_MS',
        env.YIDI_DB_ACQUIRE_TIMEOUT_MS,
        DEFAULT_DATABASE_POOL.acquireTimeoutMs,
        1,
        600_000,
      ),
      statementTimeoutMs: parseCount(
        'YIDI_DB_STATEMENT_TIMEOUT_MS',
        env.YIDI_DB_STATEMENT_TIMEOUT_MS,
        DEFAULT_DATABASE_POOL.statementTimeoutMs,
        0,
        86_400_000,
      ),
      idleInTransactionTimeoutMs: parseCount(
        'YIDI_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS',
        env.YIDI_DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
        DEFAULT_DATABASE_POOL.idleInTransactionTimeoutMs,
        0,
        86_400_000,
      ),
    },
    requestTimeoutMs: parseCount(
      'YIDI_REQUEST_TIMEOUT_MS',
      env.YIDI_REQUEST_TIMEOUT_MS,
      DEFAULT_REQUEST_TIMEOUT_MS,
      1,
      3_600_000,
    ),
    // Demo cases belong on the embedded setup; a real server gets them only when asked for.
    demo: parseSwitch('YIDI_DEMO', env.YIDI_DEMO, databaseUrl === undefined) ? 'seed' : 'off',
    workflowThreads: parseCount(
      'YIDI_WORKFLOW_THREADS',
      env.YIDI_WORKFLOW_THREADS,
      DEFAULT_WORKFLOW_THREADS,
      1,
      16,
    ),
  };
}

/** `1`/`0` (also `on`/`off`, `true`/`false`); unset: the fallback. */
function parseSwitch(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (['1', 'on', 'true'].includes(value)) return true;
  if (['0', 'off', 'false'].includes(value)) return false;
  throw new ConfigError(`${name} must be 1 or 0, got '${value}'`);
}

/** A whole number in [lowest, highest]; 0 where allowed means "off" (PostgreSQL's own convention). */
function parseCount(
  name: string,
  value: string | undefined,
  fallback: number,
  lowest: number,
  highest: number,
): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < lowest || Number(value) > highest) {
    throw new ConfigError(`${name} must be a whole number from ${lowest} to ${highest}, got '${value}'`);
  }
  return Number(value);
}

function nonEmpty(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '') throw new ConfigError(`${name} is set but empty`);
  return value;
}

function parsePort(name: string, value: string | undefined, fallback: number, lowest: 0 | 1): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) > 65535 || Number(value) < lowest) {
    throw new ConfigError(`${name} must be a port number from ${lowest} to 65535, got '${value}'`);
  }
  return Number(value);
}

/** Checks the URL's shape up front so a typo reads as one clear line, not a driver stack trace. */
export function parseDatabaseUrl(value: string): string {
  const expected = 'expected postgres://user:password@host:port/database';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`DATABASE_URL is not a valid URL (${expected})`);
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(
      `DATABASE_URL must use the postgres:// scheme, got '${url.protocol}' (${expected})`,
    );
  }
  if (!url.hostname) throw new ConfigError(`DATABASE_URL has no host (${expected})`);
  if (url.port && Number(url.port) === 0) throw new ConfigError(`DATABASE_URL has port 0 (${expected})`);
  if (url.pathname.replace(/^\//, '') === '') {
    throw new ConfigError(`DATABASE_URL names no database (${expected})`);
  }
  return value;
}

function parseTemporalAddress(value: string): string {
  if (!/^[A-Za-z0-9.[\]:_-]+:\d{1,5}$/.test(value)) {
    throw new ConfigError(`TEMPORAL_ADDRESS must be host:port, got '${value}'`);
  }
  return value;
}

/** The URL with its password masked, for logs and /healthz. */
export function redactUrl(value: string): string {
  const url = new URL(value);
  if (url.password) url.password = '***';
  return url.toString();
}
