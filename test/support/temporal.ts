import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  bundleWorkflowCode,
  DefaultLogger,
  Runtime,
  Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { createActivities } from '../../activities';
import { projectRoot } from '../../config';
import type { Orm } from '../../db/orm';
import { seedReferenceData } from '../../db/seed';
import { cachedBundle } from './bundle-cache';
import { migratedOrm } from './db';

/** The project's devserver as the `existing-path` executable of @temporalio/testing (override for a real one). */
export const DEVSERVER_BIN =
  process.env.YIDI_DEVSERVER_BIN ?? path.join(projectRoot, 'bin', 'yidi-devserver');

let runtimeInstalled = false;
function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // installed by an earlier file in this process
  }
}

/** The case workflows' bundle; `workflowsPath` for a test's own index that adds test-only workflows. */
export function bundleCaseWorkflows(
  workflowsPath = path.join(projectRoot, 'workflows', 'index.ts'),
): Promise<WorkflowBundleWithSourceMap> {
  quietRuntime();
  return cachedBundle(workflowsPath, () =>
    bundleWorkflowCode({
      workflowsPath,
      logger: new DefaultLogger('WARN'),
    }),
  );
}

/** A Temporal environment on the devserver, and the real worker running the case workflows over `orm`. */
export async function caseWorker(
  orm: Orm,
  kind: 'time-skipping' | 'local',
  bundle: WorkflowBundleWithSourceMap,
  /** The activities to run (default: every case activity over `orm`), e.g. one wrapped to fail once. */
  activities: object = createActivities({ orm }),
) {
  const executable = { type: 'existing-path' as const, path: DEVSERVER_BIN };
  const env =
    kind === 'local'
      ? await TestWorkflowEnvironment.createLocal({ server: { executable } })
      : await TestWorkflowEnvironment.createTimeSkipping({ server: { executable } });
  const taskQueue = `cases-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: bundle,
    activities,
  });
  const running = worker.run();
  return {
    env,
    client: env.client,
    taskQueue,
    worker,
    async teardown() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => undefined);
      await env.teardown();
    },
  };
}

export type CaseWorker = Awaited<ReturnType<typeof caseWorker>>;

export interface CaseWorkerPerTest {
  /** The file's migrated, seeded database. */
  readonly orm: Orm;
  readonly bundle: WorkflowBundleWithSourceMap;
  /** This test's time-skipping devserver and worker. */
  readonly worker: CaseWorker;
  /** Stops this test's worker and starts another (on a new devserver) running `activities`. */
  restartWorker(activities: object): Promise<void>;
}

/**
 * A workflow test file's hooks: a migrated, seeded database and the case bundle for the file, and a
 * time-skipping devserver with the real worker per test. `checkEachTest` runs after each test, before
 * its worker stops (the replay checks). Read the members inside tests and hooks.
 */
export function caseWorkerPerTest(checkEachTest: (t: CaseWorkerPerTest) => Promise<void>): CaseWorkerPerTest {
  let db: Awaited<ReturnType<typeof migratedOrm>> | undefined;
  let bundle: WorkflowBundleWithSourceMap | undefined;
  let worker: CaseWorker | undefined;
  const started = <T>(what: string, value: T | undefined): T => {
    if (value === undefined) throw new Error(`caseWorkerPerTest: no ${what} outside the tests and hooks`);
    return value;
  };
  const t: CaseWorkerPerTest = {
    get orm() {
      return started('orm', db?.orm);
    },
    get bundle() {
      return started('bundle', bundle);
    },
    get worker() {
      return started('worker', worker);
    },
    async restartWorker(activities) {
      await worker?.teardown();
      worker = await caseWorker(t.orm, 'time-skipping', t.bundle, activities);
    },
  };
  beforeAll(async () => {
    db = await migratedOrm();
    await seedReferenceData(db.orm.em.fork());
    bundle = await bundleCaseWorkflows();
  }, 120_000);
  afterAll(async () => {
    await db?.close();
  });
  // One time-skipping server per test: skipping time for one scenario must not fire another's timers.
  beforeEach(async () => {
    worker = await caseWorker(t.orm, 'time-skipping', t.bundle);
  }, 60_000);
  afterEach(async () => {
    try {
      await checkEachTest(t);
    } finally {
      await worker?.teardown();
      worker = undefined;
    }
  });
  return t;
}
