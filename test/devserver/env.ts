// Builds TestWorkflowEnvironment options that run the project's devserver through the standard
// `existing-path` executable hook, plus a small harness shared by the devserver test files.
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type {
  DevServerConfig,
  LocalTestWorkflowEnvironmentOptions,
  TimeSkippingServerConfig,
  TimeSkippingTestWorkflowEnvironmentOptions,
} from '@temporalio/testing';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  bundleWorkflowCode,
  DefaultLogger,
  makeTelemetryFilterString,
  Runtime,
  Worker,
  type WorkerOptions,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { cachedBundle } from '../support/bundle-cache';
import { loadHistory, recordHistory } from '../support/histories';
import { createActivities, Probe } from './activities';

export const DEVSERVER_BIN = path.resolve(__dirname, '../../bin/yidi-devserver');
export const WORKFLOWS_PATH = path.resolve(__dirname, 'workflows/index.ts');
export const HISTORIES_DIR = path.resolve(__dirname, 'histories');

type History = temporal.api.history.v1.IHistory;

/** Options for `TestWorkflowEnvironment.createLocal` (Temporal CLI style argv) against the devserver. */
export function localOptions(
  server: Omit<DevServerConfig, 'type' | 'executable'> = {},
): LocalTestWorkflowEnvironmentOptions {
  return { server: { ...server, executable: { type: 'existing-path', path: DEVSERVER_BIN } } };
}

/** Options for `TestWorkflowEnvironment.createTimeSkipping` (Java test server style argv) against the devserver. */
export function timeSkippingOptions(
  server: Omit<TimeSkippingServerConfig, 'type' | 'executable'> = {},
): TimeSkippingTestWorkflowEnvironmentOptions {
  return { server: { ...server, executable: { type: 'existing-path', path: DEVSERVER_BIN } } };
}

let runtimeInstalled = false;
/** Keeps sdk-core quiet unless something is wrong (the default logger prints every worker state change). */
export function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR', other: 'ERROR' }) } },
    });
  } catch {
    // Already installed by an earlier file in this process.
  }
}

export async function bundleTestWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  quietRuntime();
  return cachedBundle(WORKFLOWS_PATH, () =>
    bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: new DefaultLogger('ERROR') }),
  );
}

let counter = 0;
/** A name unique within this process, for workflow ids and task queues. */
export function uniq(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * One environment, one workflow bundle and one background worker per test file; every history a test
 * produces is kept so the file can check at its end that all of them replay.
 */
export class Harness {
  readonly histories: { workflowId: string; history: History }[] = [];
  private readonly workers: { worker: Worker; running: Promise<void> }[] = [];

  private constructor(
    readonly env: TestWorkflowEnvironment,
    readonly workflowBundle: WorkflowBundleWithSourceMap,
    readonly probe: Probe,
    readonly taskQueue: string,
  ) {}

  static async create(
    kind: 'local' | 'time-skipping',
    server: Omit<DevServerConfig, 'type' | 'executable'> = {},
  ): Promise<Harness> {
    const workflowBundle = await bundleTestWorkflows();
    const env =
      kind === 'local'
        ? await TestWorkflowEnvironment.createLocal(localOptions(server))
        : await TestWorkflowEnvironment.createTimeSkipping(
            timeSkippingOptions({ extraArgs: server.extraArgs }),
          );
    const harness = new Harness(env, workflowBundle, new Probe(), uniq('tq'));
    await harness.startWorker({ taskQueue: harness.taskQueue });
    return harness;
  }

  get client() {
    return this.env.client;
  }

  /** Starts another worker in the background (stopped in teardown). */
  async startWorker(options: Partial<WorkerOptions> & { taskQueue: string }): Promise<Worker> {
    const worker = await Worker.create({
      connection: this.env.nativeConnection,
      namespace: this.env.namespace ?? 'default',
      workflowBundle: this.workflowBundle,
      activities: createActivities(this.probe),
      ...options,
    });
    const running = worker.run();
    this.workers.push({ worker, running });
    return worker;
  }

  /** Fetches and keeps the history of a finished workflow for the replay check. */
  async keepHistory(handle: WorkflowHandle): Promise<History> {
    const history = await handle.fetchHistory();
    this.histories.push({ workflowId: handle.workflowId, history });
    return history;
  }

  /** Replays every kept history with one replay worker; returns the failures as readable strings. */
  async replayKeptHistories(): Promise<string[]> {
    const failures: string[] = [];
    const results = Worker.runReplayHistories({ workflowBundle: this.workflowBundle }, this.histories);
    for await (const result of results) {
      if (result.error) failures.push(`${result.workflowId}: ${String(result.error)}`);
    }
    return failures;
  }

  async teardown(): Promise<void> {
    for (const { worker } of this.workers) {
      if (worker.getState() === 'RUNNING') worker.shutdown();
    }
    await Promise.allSettled(this.workers.map((w) => w.running));
    await this.env.teardown();
  }
}

/** Writes a history fixture (only when YIDI_RECORD_HISTORIES=1), so fixtures are refreshed deliberately. */
export function maybeRecordFixture(name: string, history: History): Promise<void> {
  return recordHistory(HISTORIES_DIR, name, history);
}

export function loadFixture(file: string): Promise<History> {
  return loadHistory(HISTORIES_DIR, file);
}

/** Event type names of a history, e.g. 'WorkflowTaskScheduled'. */
export function eventTypes(history: History): string[] {
  return (history.events ?? []).map((e) => eventTypeName(e.eventType));
}

export function eventTypeName(t: temporal.api.enums.v1.EventType | null | undefined): string {
  const name = temporal.api.enums.v1.EventType[t ?? 0] ?? String(t);
  return name
    .replace(/^EVENT_TYPE_/, '')
    .toLowerCase()
    .replace(/(^|_)([a-z])/g, (_m, _s, c: string) => c.toUpperCase());
}
