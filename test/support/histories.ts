import fs from 'node:fs/promises';
import path from 'node:path';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { temporal } from '@temporalio/proto';

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
