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
import { cachedBundle } from './bundle-cache';

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
