/**
 * The durable store behind `--db-filename`: the engine reports every change (engine.persistence),
 * and each group commit writes one journal frame with, per changed run, its new history events and
 * its small non-history state (activity attempts and heartbeat details, the workflow task, timers,
 * updates, the buffer, …), plus namespaces, the skipped clock offset and registered parts. Every
 * RPC waits for the commit that holds what it changed before it answers (see `sync`). On start the
 * frames are replayed into runs, the engine resumes them, and the journal is compacted into one
 * snapshot frame; it is compacted again whenever it has grown well past its last snapshot.
 */
import { status } from '@grpc/grpc-js';
import type { Engine, Persistence, SavedRun } from '../engine/engine';
import type { Execution, SavedRunState } from '../engine/execution';
import type { Namespace } from '../engine/namespaces';
import type { StartParams } from '../engine/types';
import type * as Errors from '../errors';
import type { IHistoryEvent } from '../proto';
import { decodeState, encodeState } from './codec';
import { Journal, type Log, StateFileError } from './journal';

export { StateFileError } from './journal';

/**
 * Any other engine state that must survive a restart (Schedules): plain JSON-serialisable data.
 * Register it in `engine.parts` under a stable name before the store attaches, and call
 * `engine.partChanged(name)` after every change; the store writes `snapshot()` with the next commit
 * and hands the last one written to `restore()` on start.
 */
export interface PersistedPart {
  snapshot(): unknown;
  restore(state: unknown): void;
}

type SavedNamespace = Omit<Namespace, 'customSearchAttributes'> & {
  customSearchAttributes: [string, number][];
};

type Rec =
  | { t: 'namespaces'; list: SavedNamespace[] }
  | { t: 'clock'; skippedMs: number }
  | {
      t: 'run';
      ns: string;
      runId: string;
      /** Only in a run's first record. */
      params?: StartParams;
      /** Index in the history of the first event in `events`. */
      from: number;
      events: IHistoryEvent[];
      state: SavedRunState;
      /**
       * When set, `state.finishedUpdates` holds only the updates finished since the run's previous
       * record, which held this many (a run's finished updates only grow; without it, all of them).
       */
      finishedFrom?: number;
    }
  | { t: 'rm'; ns: string; runId: string }
  | { t: 'part'; name: string; state: unknown };

/** Compact when the journal is this many times its last snapshot (and at least MIN_COMPACT_BYTES). */
const COMPACT_GROWTH = 4;
const MIN_COMPACT_BYTES = 16 * 1024 * 1024;

interface Waiter {
  resolve(): void;
  reject(e: Error): void;
}

export class DurableStore implements Persistence {
  private engine: Engine | undefined;
  private readonly dirty = new Set<Execution>();
  private removedRuns: { ns: string; runId: string }[] = [];
  private namespacesDirty = false;
  private readonly dirtyParts = new Set<string>();
  /** History events of each run already in the journal. */
  private readonly written = new WeakMap<Execution, number>();
  /**
   * Finished updates of each run already in the journal: each record writes only the new ones (they
   * were about half of every commit's bytes when each record repeated all of a stay's outcomes).
   */
  private readonly writtenFinished = new WeakMap<Execution, number>();
  private skippedMs = 0;
  private clockDirty = false;
  private scheduled = false;
  private inflight: Promise<void> | undefined;
  private waiters: Waiter[] = [];
  private failure: Error | undefined;
  private snapshotBytes = 0;
  private closing = false;
  private closed = false;
  private replayed: ReturnType<DurableStore['replay']> | undefined;

  private constructor(
    private readonly journal: Journal,
    private readonly saved: Rec[],
    private readonly log: Log,
  ) {}

  /** Lock and read the file (StateFileError when it cannot be used); attach() brings the state back. */
  static open(file: string, log: Log): DurableStore {
    const { journal, frames } = Journal.open(file, log);
    const records: Rec[] = [];
    try {
      for (const [i, f] of frames.entries()) {
        let recs: unknown;
        try {
          recs = decodeState(f);
        } catch (e) {
          throw new StateFileError(
            journal.file,
            `record ${i + 1} is not valid JSON: ${(e as Error).message}`,
          );
        }
        if (!Array.isArray(recs)) throw new StateFileError(journal.file, `record ${i + 1} is not a list`);
        records.push(...(recs as Rec[]));
      }
    } catch (e) {
      journal.close();
      throw e;
    }
    const store = new DurableStore(journal, records, log);
    try {
      // Replayed here, not in attach(): a damaged file stops the start before the server listens.
      store.replayed = store.replay();
    } catch (e) {
      journal.close();
      throw e;
    }
    return store;
  }

  get file(): string {
    return this.journal.file;
  }

  /**
   * Restore namespaces, clock, runs and parts into the engine, compact, and start recording. Runs
   * before parts: a schedule's restore looks up the workflows it started (still running or not).
   */
  attach(engine: Engine): void {
    const { namespaces, skippedMs, runs, parts } = this.replayed ?? this.replay();
    this.replayed = undefined;
    if (namespaces) engine.namespaces.restore(namespaces);
    engine.clock.restoreSkipped(skippedMs);
    this.skippedMs = skippedMs;
    engine.restore(runs);
    for (const [name, state] of parts) {
      const part = engine.parts.get(name);
      if (part) part.restore(state);
      else this.log('warn', `devserver state file ${this.file}: no part '${name}' to restore; dropped`);
    }
    this.engine = engine;
    this.compact();
    engine.persistence = this;
    if (runs.length > 0) {
      const open = runs.filter((r) => r.state.status === 'Running').length;
      this.log('info', `restored ${runs.length} runs (${open} running) from ${this.file}`);
    }
  }

  private replay(): {
    namespaces: Namespace[] | undefined;
    skippedMs: number;
    runs: SavedRun[];
    parts: Map<string, unknown>;
  } {
    let namespaces: Namespace[] | undefined;
    let skippedMs = 0;
    const runs = new Map<string, SavedRun>();
    const parts = new Map<string, unknown>();
    const bad = (msg: string) => new StateFileError(this.file, msg);
    for (const r of this.saved) {
      switch (r.t) {
        case 'namespaces':
          namespaces = r.list.map((n) => ({
            ...n,
            customSearchAttributes: new Map(n.customSearchAttributes),
          }));
          break;
        case 'clock':
          skippedMs = r.skippedMs;
          break;
        case 'run': {
          const key = `${r.ns}\u0000${r.runId}`;
          let run = runs.get(key);
          if (!run) {
            if (!r.params) throw bad(`run ${r.runId} is continued before it was started`);
            run = { namespace: r.ns, runId: r.runId, params: r.params, history: [], state: r.state };
            runs.set(key, run);
          }
          if (r.from !== run.history.length) {
            throw bad(
              `run ${r.runId} has a gap in its history (event ${r.from + 1} after ${run.history.length})`,
            );
          }
          for (const ev of r.events) run.history.push(ev);
          if (r.finishedFrom !== undefined) {
            const before = run.state.finishedUpdates;
            if (r.finishedFrom !== before.length) {
              throw bad(
                `run ${r.runId} has a gap in its finished updates (${r.finishedFrom} written before, ${before.length} read)`,
              );
            }
            run.state = { ...r.state, finishedUpdates: [...before, ...r.state.finishedUpdates] };
          } else run.state = r.state;
          break;
        }
        case 'rm':
          runs.delete(`${r.ns}\u0000${r.runId}`);
          break;
        case 'part':
          parts.set(r.name, r.state);
          break;
        default:
          throw bad(`unknown record type '${(r as { t: unknown }).t}'`);
      }
    }
    this.saved.length = 0;
    return { namespaces, skippedMs, runs: [...runs.values()], parts };
  }

  // ---- Persistence: the engine's change hooks --------------------------------------------

  changed(exec: Execution): void {
    this.dirty.add(exec);
    this.schedule();
  }

  removed(exec: Execution): void {
    this.dirty.delete(exec);
    if (this.written.has(exec)) this.removedRuns.push({ ns: exec.ns.name, runId: exec.runId });
    this.schedule();
  }

  namespacesChanged(): void {
    this.namespacesDirty = true;
    this.schedule();
  }

  clockChanged(): void {
    this.clockDirty = true;
    this.schedule();
  }

  partChanged(name: string): void {
    this.dirtyParts.add(name);
    this.schedule();
  }

  // ---- group commit ----------------------------------------------------------------------

  private get pending(): boolean {
    return (
      this.dirty.size > 0 ||
      this.removedRuns.length > 0 ||
      this.namespacesDirty ||
      this.clockDirty ||
      this.dirtyParts.size > 0
    );
  }

  /**
   * Resolves once every change made so far is on disk; rejects UNAVAILABLE when writing failed
   * (then nothing after the last good commit is acknowledged, and every later RPC fails the same way).
   */
  sync(): Promise<void> {
    if (this.failure) return Promise.reject(unavailable(this.failure, this.file));
    if (!this.pending) return this.inflight ?? Promise.resolve();
    return new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private schedule(): void {
    if (this.scheduled || this.inflight || this.failure) return;
    this.scheduled = true;
    // After the current turn: everything one request changes lands in the same frame.
    setImmediate(() => {
      this.scheduled = false;
      this.commit();
    });
  }

  private commit(): void {
    if (this.inflight || this.failure || this.closed || !this.pending) return;
    const waiters = this.waiters;
    this.waiters = [];
    let payload: Buffer;
    try {
      payload = Buffer.from(encodeState(this.changes()));
    } catch (e) {
      this.fail(e as Error, waiters);
      return;
    }
    const done = this.journal.append(payload).then(
      () => {
        this.inflight = undefined;
        for (const w of waiters) w.resolve();
        this.maybeCompact();
        if (this.pending) this.commit();
      },
      (e: Error) => {
        this.inflight = undefined;
        this.fail(e, waiters);
      },
    );
    this.inflight = done;
  }

  private fail(e: Error, waiters: Waiter[]): void {
    if (!this.failure) {
      this.failure = e;
      this.log(
        'error',
        `devserver state file ${this.file}: write failed, refusing every change from now on: ${e.message}`,
      );
    }
    for (const w of [...waiters, ...this.waiters.splice(0)]) w.reject(unavailable(e, this.file));
  }

  /** The records of one commit; marks what they hold as written. */
  private changes(): Rec[] {
    const engine = this.engine!;
    const recs: Rec[] = [];
    if (this.namespacesDirty) recs.push(this.namespacesRecord(engine));
    this.namespacesDirty = false;
    this.clockDirty = false;
    if (engine.clock.skippedMs !== this.skippedMs) {
      this.skippedMs = engine.clock.skippedMs;
      recs.push({ t: 'clock', skippedMs: this.skippedMs });
    }
    for (const exec of this.dirty) recs.push(this.runRecord(exec));
    this.dirty.clear();
    for (const r of this.removedRuns) recs.push({ t: 'rm', ...r });
    this.removedRuns = [];
    for (const name of this.dirtyParts) {
      const part = engine.parts.get(name);
      if (part) recs.push({ t: 'part', name, state: part.snapshot() });
    }
    this.dirtyParts.clear();
    return recs;
  }

  private runRecord(exec: Execution): Rec {
    const from = this.written.get(exec);
    this.written.set(exec, exec.history.length);
    const state = exec.saveState();
    // A run's first record (and every one in a snapshot) holds all its finished updates.
    const finishedFrom = from === undefined ? undefined : this.writtenFinished.get(exec);
    this.writtenFinished.set(exec, state.finishedUpdates.length);
    return {
      t: 'run',
      ns: exec.ns.name,
      runId: exec.runId,
      ...(from === undefined ? { params: exec.params } : {}),
      from: from ?? 0,
      events: exec.history.slice(from ?? 0),
      ...(finishedFrom === undefined
        ? { state }
        : { state: { ...state, finishedUpdates: state.finishedUpdates.slice(finishedFrom) }, finishedFrom }),
    };
  }

  private namespacesRecord(engine: Engine): Rec {
    return {
      t: 'namespaces',
      list: engine.namespaces
        .all()
        .map((n) => ({ ...n, customSearchAttributes: [...n.customSearchAttributes] })),
    };
  }

  // ---- compaction ------------------------------------------------------------------------

  private maybeCompact(): void {
    if (this.closing) return;
    if (this.journal.bytes < Math.max(MIN_COMPACT_BYTES, COMPACT_GROWTH * this.snapshotBytes)) return;
    try {
      this.compact();
    } catch (e) {
      // The old journal is still whole: keep appending to it.
      this.log('warn', `devserver state file ${this.file}: compaction failed: ${(e as Error).message}`);
    }
  }

  /** Rewrite the journal as one snapshot of the whole engine. Only between commits. */
  private compact(): void {
    const engine = this.engine!;
    const recs: Rec[] = [this.namespacesRecord(engine), { t: 'clock', skippedMs: engine.clock.skippedMs }];
    this.skippedMs = engine.clock.skippedMs;
    for (const runs of engine.runs.values()) {
      for (const exec of runs) {
        this.written.delete(exec);
        recs.push(this.runRecord(exec));
      }
    }
    for (const [name, part] of engine.parts) recs.push({ t: 'part', name, state: part.snapshot() });
    this.journal.rewrite(Buffer.from(encodeState(recs)));
    this.snapshotBytes = this.journal.bytes;
    // Everything is in the snapshot now, on disk: whoever waits for a pending change is done.
    for (const w of this.waiters.splice(0)) w.resolve();
    this.dirty.clear();
    this.removedRuns = [];
    this.namespacesDirty = false;
    this.clockDirty = false;
    this.dirtyParts.clear();
  }

  /** Write what is left and release the file (after engine.stop(), so nothing changes any more). */
  async close(): Promise<void> {
    this.closing = true;
    try {
      while (!this.failure && (this.inflight || this.pending)) {
        if (this.inflight) await this.inflight;
        else this.commit();
      }
    } finally {
      this.closed = true;
      this.journal.close();
    }
  }
}

function unavailable(e: Error, file: string): Errors.ServiceError {
  // Required here, not imported: the errors need the proto definitions, which load after the port is bound.
  const { ServiceError } = require('../errors') as typeof Errors;
  return new ServiceError(status.UNAVAILABLE, `devserver state file ${file} cannot be written: ${e.message}`);
}
