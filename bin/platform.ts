import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import {
  DefaultLogger,
  makeTelemetryFilterString,
  NativeConnection,
  Runtime,
  Worker,
} from '@temporalio/worker';
import { createActivities } from '../activities';
import { createApp } from '../api/app';
import { resetDemo, seedDemo } from '../api/demo';
import type { Dependency } from '../api/health';
import { startOutbox } from '../api/staff/decisions';
import { type Config, ConfigError, redactUrl } from '../config';
import { EmbeddedPostgres } from '../db/embedded-postgres';
import { migrate, type Orm, openOrm, pingDatabase, poolStats } from '../db/orm';
import { seedReferenceData } from '../db/seed';
import { compiledDevServer } from '../devserver/compiled';
import { ensureSchedules } from './schedules';

export interface Platform {
  url: string;
  stop(): Promise<void>;
}

export type Log = (message: string) => void;

const EMBEDDED_DATABASE = 'yidi';

/**
 * Starts every part in dependency order — database, migrations, seed, Temporal, worker, API — and
 * returns a handle that stops them in reverse. A part that fails to start stops those already running.
 */
export async function startPlatform(config: Config, log: Log): Promise<Platform> {
  const stack: Stack = [];
  const stopAll = stopper(stack, log);
  try {
    const databaseUrl = await startDatabase(config, log, stack);
    const orm = await openOrm(databaseUrl, { pool: config.databasePool });
    stack.push({ name: 'database pool', stop: () => orm.close() });
    await prepareDatabase(orm, databaseUrl, log);

    const temporalAddress = await startTemporal(config, log, stack);
    await startWorker(config, temporalAddress, orm, stack);
    const url = await startApi(config, databaseUrl, temporalAddress, orm, log, stack, { demo: true });
    return { url, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

type Stack = { name: string; stop: () => Promise<void> }[];

/** Stops the parts of a stack in reverse order; a part that fails to stop does not keep the others running. */
function stopper(stack: Stack, log: Log): () => Promise<void> {
  return async () => {
    for (const part of stack.reverse()) {
      try {
        await part.stop();
      } catch (error) {
        log(`stopping ${part.name} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    stack.length = 0;
  };
}

/**
 * The scale-out roles (`npm run worker`, `npm run api`) share one database and one Temporal with their
 * peers, so they never start the embedded ones: both addresses must be given.
 */
function sharedServers(config: Config, role: string): { databaseUrl: string; temporalAddress: string } {
  if (config.database.kind !== 'external' || config.temporal.kind !== 'external') {
    throw new ConfigError(
      `${role} needs DATABASE_URL and TEMPORAL_ADDRESS (a shared PostgreSQL and Temporal; for a local try, ` +
        `those of a running \`npm start\`, which prints both)`,
    );
  }
  return { databaseUrl: config.database.url, temporalAddress: config.temporal.address };
}

/** `npm run worker`: one Temporal worker (every workflow and activity); run as many as the load needs. */
export async function startWorkerRole(
  config: Config,
  log: Log,
): Promise<{ identity: string; stop(): Promise<void> }> {
  const { databaseUrl, temporalAddress } = sharedServers(config, 'npm run worker');
  const stack: Stack = [];
  const stopAll = stopper(stack, log);
  try {
    const orm = await openOrm(databaseUrl, { pool: config.databasePool });
    stack.push({ name: 'database pool', stop: () => orm.close() });
    await prepareDatabase(orm, databaseUrl, log);
    const identity = await startWorker(config, temporalAddress, orm, stack);
    return { identity, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** `npm run api`: the API and the web UI (and the decision outbox); run as many as the load needs. */
export async function startApiRole(config: Config, log: Log): Promise<Platform> {
  const { databaseUrl, temporalAddress } = sharedServers(config, 'npm run api');
  // A token one API process signs must be accepted by every other one.
  if (!config.tokenSecret)
    throw new ConfigError('npm run api needs YIDI_TOKEN_SECRET, the same for every API process');
  const stack: Stack = [];
  const stopAll = stopper(stack, log);
  try {
    const orm = await openOrm(databaseUrl, { pool: config.databasePool });
    stack.push({ name: 'database pool', stop: () => orm.close() });
    await prepareDatabase(orm, databaseUrl, log);
    const url = await startApi(config, databaseUrl, temporalAddress, orm, log, stack);
    return { url, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Any number of processes may start at once: one applies the migrations and the seed, the others wait. */
async function prepareDatabase(orm: Orm, databaseUrl: string, log: Log): Promise<void> {
  const { Client: PgClient } = await import('pg');
  const lock = new PgClient({ connectionString: databaseUrl });
  await lock.connect();
  try {
    await lock.query("select pg_advisory_lock(hashtext('yidi:migrations'))");
    const applied = await migrate(orm);
    if (applied.length > 0) log(`applied migrations: ${applied.join(', ')}`);
    await seedReferenceData(orm.em.fork());
  } finally {
    // Ending the session releases the lock too, even if the unlock is never sent.
    await lock.end();
  }
}

async function startApi(
  config: Config,
  databaseUrl: string,
  temporalAddress: string,
  orm: Orm,
  log: Log,
  stack: Stack,
  opts: { demo: boolean } = { demo: false },
): Promise<string> {
  const client = await Connection.connect({ address: temporalAddress });
  stack.push({ name: 'temporal client', stop: () => client.close() });
  const temporal = new Client({ connection: client, namespace: config.namespace });
  // A Temporal that refuses the schedules leaves the platform up; the batches still freeze themselves.
  await ensureSchedules(temporal, config.taskQueue, log).catch((error) =>
    log(`schedules not created: ${String(error)}`),
  );
  // The demo cases need the worker running: only the all-in-one start, whose worker is up by now.
  if (opts.demo) await startDemo(config, { orm, temporal, taskQueue: config.taskQueue, log });
  const app = createApp({
    log,
    requestTimeoutMs: config.requestTimeoutMs,
    database: databaseDependency(config, databaseUrl, orm),
    temporal: temporalDependency(config, temporalAddress, client),
    cases: { orm, temporal, taskQueue: config.taskQueue, tokenSecret: tokenSecret(config, log) },
  });
  // Decisions recorded while Temporal did not answer are delivered from the task table later.
  const stopOutbox = startOutbox(orm, temporal, log);
  stack.push({ name: 'decision outbox', stop: async () => stopOutbox() });
  const server = await listen(app, config.port);
  stack.push({ name: 'http server', stop: () => closeServer(server) });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  return `http://localhost:${port}`;
}

/**
 * The demo cases, once the worker runs their workflows. A seed that fails leaves the platform up (the
 * demo is a convenience, logged); an asked-for reset that fails stops the start.
 */
async function startDemo(config: Config, deps: Parameters<typeof seedDemo>[0]): Promise<void> {
  if (config.demo === 'reset') {
    const created = await resetDemo(deps);
    deps.log(`demo: reset, ${created.length} cases seeded afresh`);
  } else if (config.demo === 'seed') {
    await seedDemo(deps).catch((error: unknown) =>
      deps.log(`demo: not (fully) seeded: ${error instanceof Error ? error.message : String(error)}`),
    );
  }
}

/**
 * The API token secret: YIDI_TOKEN_SECRET, else one kept beside the embedded data folder (so tokens
 * survive a restart), else a random one per process (an external database without a secret set).
 */
export function tokenSecret(config: Config, log: Log): string {
  if (config.tokenSecret) return config.tokenSecret;
  if (config.database.kind === 'external') {
    log('YIDI_TOKEN_SECRET is not set: tokens are signed with a per-process secret and end with the process');
    return randomBytes(32).toString('hex');
  }
  const file = path.join(path.dirname(config.database.dataDir), 'token-secret');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
  }
  return fs.readFileSync(file, 'utf8').trim();
}

async function startDatabase(config: Config, log: Log, stack: Stack) {
  if (config.database.kind === 'external') return config.database.url;
  const pg = new EmbeddedPostgres({
    dataDir: config.database.dataDir,
    port: config.database.port,
    log: (line) => {
      if (/ERROR|FATAL|PANIC/.test(line)) log(`postgres: ${line}`);
    },
    notice: log,
  });
  await pg.start();
  stack.push({ name: 'embedded postgres', stop: () => pg.stop() });
  await ensureDatabase(pg, EMBEDDED_DATABASE);
  log(`embedded PostgreSQL on 127.0.0.1:${config.database.port}, data in ${config.database.dataDir}`);
  return pg.urlFor(EMBEDDED_DATABASE);
}

/** CREATE DATABASE has no IF NOT EXISTS, so look first. */
export async function ensureDatabase(pg: EmbeddedPostgres, name: string): Promise<void> {
  const { Client } = await import('pg');
  const admin = new Client({ connectionString: pg.url });
  await admin.connect();
  try {
    const found = await admin.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
}

async function startTemporal(config: Config, log: Log, stack: Stack) {
  if (config.temporal.kind === 'external') return config.temporal.address;
  // Durable next to PostgreSQL's data: a restart must find the workflows the database still refers to.
  const { dbFilename } = config.temporal;
  const devserver = await compiledDevServer().startDevServer({
    port: 0,
    namespaces: [config.namespace],
    dbFilename,
  });
  stack.push({ name: 'embedded temporal devserver', stop: () => devserver.stop() });
  log(`embedded Temporal devserver on ${devserver.address}${dbFilename ? `, state in ${dbFilename}` : ''}`);
  return devserver.address;
}

async function startWorker(config: Config, address: string, orm: Orm, stack: Stack): Promise<string> {
  installRuntimeOnce();
  // sdk-core gzips every request by default: pure CPU on both ends over loopback to the embedded devserver.
  const connection = await NativeConnection.connect({
    address,
    ...(config.temporal.kind === 'embedded' ? { grpcCompression: { codec: 'none' as const } } : {}),
  });
  // Closed even if Worker.create fails below (e.g. a workflow bundle that does not compile).
  stack.push({ name: 'worker connection', stop: () => connection.close() });
  const worker = await Worker.create({
    connection,
    namespace: config.namespace,
    taskQueue: config.taskQueue,
    workflowsPath: require.resolve('../workflows'),
    activities: createActivities({ orm }),
    workflowThreadPoolSize: config.workflowThreads,
  });
  const running = worker.run();
  stack.push({
    name: 'temporal worker',
    stop: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  });
  return worker.options.identity;
}

let runtimeInstalled = false;
/** The SDK's and core's logs at WARN and above, so the console shows problems, not bundling and polling chatter. */
function installRuntimeOnce(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({
    logger: new DefaultLogger('WARN'),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'WARN' }) } },
  });
}

export function databaseDependency(config: Config, url: string, orm: Orm): Dependency {
  return {
    describe: () => ({ kind: config.database.kind, url: redactUrl(url) }),
    // Its own connection, outside the pool: an exhausted pool is reported as such, not as a dead server.
    ping: () => pingDatabase(url),
    pool: () => poolStats(orm),
  };
}

export function temporalDependency(config: Config, address: string, client: Connection): Dependency {
  return {
    describe: () => ({ kind: config.temporal.kind, address, namespace: config.namespace }),
    // A deadline inside the probe's own timeout, so a dead frontend fails the ping (and ends the
    // client's retries) before /healthz answers.
    ping: async () => {
      await client.withDeadline(Date.now() + 1_500, () => client.workflowService.getSystemInfo({}));
    },
  };
}

function listen(app: ReturnType<typeof createApp>, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, '0.0.0.0');
    server.once('listening', () => resolve(server));
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new PortInUseError(`port ${port} is already in use (another Yidi?); set PORT to another`)
          : error,
      );
    });
  });
}

export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
