import fs from 'node:fs/promises';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { temporal } from '@temporalio/proto';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

type History = temporal.api.history.v1.IHistory;

/**
 * Recorded workflow histories, as proto3 JSON (what `temporal workflow show --output json` writes),
 * so a replay test catches a workflow change that would break executions already running.
 * Recording happens only with YIDI_RECORD_HISTORIES=1: fixtures change on purpose, never by accident.
 */
export const recording = process.env.YIDI_RECORD_HISTORIES === '1';

export async function recordHistory(dir: string, name: string, history: History): Promise<void> {
  if (!recording) return;
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, `${name}.json`), `${historyToJSON(history)}\n`);
}

export async function loadHistory(dir: string, file: string): Promise<History> {
  return historyFromJSON(JSON.parse(await fs.readFile(path.join(dir, file), 'utf8')));
}

/** Every recorded history in `dir`, named by file (without .json). */
export async function loadHistories(dir: string): Promise<{ workflowId: string; history: History }[]> {
  const files = (await fs.readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(
    files.map(async (f) => ({ workflowId: f.replace(/\.json$/, ''), history: await loadHistory(dir, f) })),
  );
}

/**
 * Every execution the client lists (of `types`, when given): recorded into `dir` when recording, then
 * replayed on `bundle`. The replay failures are returned for the test to assert empty.
 */
export async function recordAndReplay(
  client: Client,
  bundle: WorkflowBundleWithSourceMap,
  dir: string,
  types?: ReadonlySet<string>,
): Promise<{ failures: string[]; replayed: number }> {
  const histories = [];
  for await (const e of client.workflow.list()) {
    if (types && !types.has(e.type)) continue;
    histories.push({
      workflowId: e.workflowId,
      history: await client.workflow.getHandle(e.workflowId, e.runId).fetchHistory(),
    });
  }
  for (const { workflowId, history } of histories) await recordHistory(dir, workflowId, history);
  return replayHistories(bundle, histories);
}

/** `recordAndReplay`, asserted: every history replays, and there was at least one. */
export async function expectReplays(
  client: Client,
  bundle: WorkflowBundleWithSourceMap,
  dir: string,
  types?: ReadonlySet<string>,
): Promise<void> {
  const { failures, replayed } = await recordAndReplay(client, bundle, dir, types);
  expect(failures).toEqual([]);
  expect(replayed).toBeGreaterThan(0);
}

/** Replays `histories` on `bundle`: the failures (`<workflowId>: <error>`) and how many were replayed. */
export async function replayHistories(
  bundle: WorkflowBundleWithSourceMap,
  histories: { workflowId: string; history: History }[],
): Promise<{ failures: string[]; replayed: number }> {
  const failures: string[] = [];
  let replayed = 0;
  for await (const r of Worker.runReplayHistories({ workflowBundle: bundle }, histories)) {
    replayed += 1;
    if (r.error) failures.push(`${r.workflowId}: ${String(r.error)}`);
  }
  return { failures, replayed };
}
