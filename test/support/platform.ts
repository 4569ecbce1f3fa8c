import type { Client } from '@temporalio/client';
import type { Express } from 'express';
import { type AppDeps, createApp } from '../../api/app';
import type { CaseDeps } from '../../api/context';
import type { Dependency } from '../../api/health';
import type { Orm } from '../../db/orm';
import { seedReferenceData } from '../../db/seed';
import { migratedOrm, type TestDatabase } from './db';
import { demoLogins } from './login';
import { bundleCaseWorkflows, type CaseWorker, caseWorker } from './temporal';

/** A dependency that is always up (health checks of a test app). */
export const UP: Dependency = { describe: () => ({ kind: 'test' }), ping: async () => undefined };

export type { CaseWorker } from './temporal';

/** The platform's app with test defaults: both dependencies up, the log into `deps.log` or nowhere. */
export function testApp(deps: Partial<AppDeps> = {}): Express {
  return createApp({ database: UP, temporal: UP, log: () => undefined, ...deps });
}

export interface TestPlatformOptions {
  /**
   * The Temporal side: `'time-skipping'` (default; `worker.env.sleep` skips time), `'local'` (real time,
   * as `npm start`), or `false` for routes that never reach a workflow (no devserver is started).
   */
  temporal?: 'time-skipping' | 'local' | false;
  /** A test's own workflow index (test-only workflows besides the case workflows). */
  workflowsPath?: string;
  /** Seed the demo reference data (places, hospitals, persons, users); default true. */
  seed?: boolean;
  /** More data of the test's own, after the seed and before the worker starts (e.g. a month's settlements). */
  data?: (orm: Orm) => Promise<unknown>;
  tokenSecret?: string;
}

export interface TestPlatform {
  orm: Orm;
  db: TestDatabase;
  /** The API and web app, over `orm` and the worker's client. */
  app: Express;
  /** Every line the app logged (for the no-PII-in-logs checks). */
  logs: string[];
  /** The devserver environment and the real worker; throws when started with `temporal: false`. */
  readonly worker: CaseWorker;
  /** The case deps the app was made with (orm, temporal client, task queue, token secret). */
  cases: Omit<CaseDeps, 'log'>;
  /** A demo user's token (logged in once per platform). */
  login(username: string): Promise<string>;
  /** `{ Authorization: 'Bearer …' }` for a demo user, for supertest's `.set()`. */
  as(username: string): Promise<{ Authorization: string }>;
  /** Another app over the same platform, with some deps replaced (e.g. another Temporal client). */
  appWith(overrides: Partial<Omit<AppDeps, 'cases'>> & { cases?: Partial<CaseDeps> }): Express;
  /** Stops the worker and the devserver, closes the ORM and drops the database. */
  close(): Promise<void>;
}

/**
 * One API test's platform: a fresh migrated database (seeded), the devserver with the real worker, the
 * app and the demo logins. Call in `beforeAll` (allow ~2 min) and `close()` in `afterAll`.
 */
export async function startTestPlatform(options: TestPlatformOptions = {}): Promise<TestPlatform> {
  const { orm, db, close: dropDb } = await migratedOrm();
  let w: CaseWorker | undefined;
  try {
    if (options.seed ?? true) await seedReferenceData(orm.em.fork());
    await options.data?.(orm);
    const temporal = options.temporal ?? 'time-skipping';
    if (temporal) w = await caseWorker(orm, temporal, await bundleCaseWorkflows(options.workflowsPath));
  } catch (error) {
    await w?.teardown();
    await dropDb();
    throw error;
  }
  const logs: string[] = [];
  const cases: Omit<CaseDeps, 'log'> = {
    orm,
    // Without Temporal, a client that says so if a route reaches it.
    temporal: w?.client ?? (noTemporal as Client),
    taskQueue: w?.taskQueue ?? 'no-temporal',
    tokenSecret: options.tokenSecret ?? 'test-secret',
  };
  const appWith: TestPlatform['appWith'] = (overrides) =>
    testApp({ log: (m) => logs.push(m), ...overrides, cases: { ...cases, ...overrides.cases } });
  const app = appWith({});
  const login = demoLogins(() => app);
  return {
    orm,
    db,
    app,
    logs,
    cases,
    get worker(): CaseWorker {
      if (!w) throw new Error('this test platform was started with temporal: false');
      return w;
    },
    login,
    as: async (username) => ({ Authorization: `Bearer ${await login(username)}` }),
    appWith,
    async close() {
      await w?.teardown();
      await dropDb();
    },
  };
}

/**
 * `startTestPlatform` as this file's hooks: started in `beforeAll`, then `prepare` (e.g. a login), whose
 * members join the platform's; closed in `afterAll`. The members are there inside tests and hooks.
 */
export function testPlatformForFile<E extends object = object>(
  /** `timeout`: the `beforeAll`'s, start and `prepare` together (default 2 min). */
  options: TestPlatformOptions & { timeout?: number } = {},
  prepare: (p: TestPlatform) => Promise<E> = async () => ({}) as E,
): TestPlatform & E {
  const { timeout = 120_000, ...start } = options;
  const platform = {} as TestPlatform & E;
  beforeAll(async () => {
    // Copied as descriptors: `worker` stays a getter (it throws for `temporal: false`).
    Object.defineProperties(platform, Object.getOwnPropertyDescriptors(await startTestPlatform(start)));
    Object.defineProperties(platform, Object.getOwnPropertyDescriptors(await prepare(platform)));
  }, timeout);
  afterAll(async () => {
    await platform.close?.();
  });
  return platform;
}

const noTemporal = new Proxy(
  {},
  {
    get(_target, property) {
      throw new Error(
        `the test platform has no Temporal (temporal: false), yet the app used client.${String(property)}`,
      );
    },
  },
);
