import path from 'node:path';

/** Where cases are stored: the embedded server (data folder under the project) or a real PostgreSQL server. */
export type DatabaseTarget =
  | { kind: 'embedded'; dataDir: string; port: number }
  | { kind: 'external'; url: string };

/** Which Temporal the platform talks to: the embedded devserver, or a real cluster. */
export type TemporalTarget = { kind: 'embedded' } | { kind: 'external'; address: string };

export interface Config {
  port: number;
  database: DatabaseTarget;
  temporal: TemporalTarget;
  namespace: string;
  taskQueue: string;
  /** Secret for signing API tokens; embedded runs derive one per data folder. */
  tokenSecret: string | undefined;
}

/** A configuration mistake the operator must fix; `bin/` turns it into one line on stderr and exit 78. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** sysexits' EX_CONFIG: the process was configured wrongly. */
export const EXIT_CONFIG = 78;

export const projectRoot = path.resolve(__dirname, '..');

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dataRoot = path.resolve(env.YIDI_DATA_DIR ?? path.join(projectRoot, '.data'));
  return {
    port: parsePort('PORT', env.PORT, 3000),
    database: env.DATABASE_URL
      ? { kind: 'external', url: parseDatabaseUrl(env.DATABASE_URL) }
      : {
          kind: 'embedded',
          dataDir: path.join(dataRoot, 'postgres'),
          port: parsePort('EMBEDDED_PG_PORT', env.EMBEDDED_PG_PORT, 54320),
        },
    temporal: env.TEMPORAL_ADDRESS
      ? { kind: 'external', address: parseTemporalAddress(env.TEMPORAL_ADDRESS) }
      : { kind: 'embedded' },
    namespace: nonEmpty('TEMPORAL_NAMESPACE', env.TEMPORAL_NAMESPACE) ?? 'default',
    taskQueue: nonEmpty('TEMPORAL_TASK_QUEUE', env.TEMPORAL_TASK_QUEUE) ?? 'yidi',
    tokenSecret: nonEmpty('YIDI_TOKEN_SECRET', env.YIDI_TOKEN_SECRET),
  };
}

function nonEmpty(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '') throw new ConfigError(`${name} is set but empty`);
  return value;
}

function parsePort(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value) || Number(value) > 65535) {
    throw new ConfigError(`${name} must be a port number from 0 to 65535, got '${value}'`);
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
