/**
 * Schedules, run the way Temporal's scheduler workflow runs them, on the engine's clock (so time
 * skipping moves them): each wake-up takes the spec's times since the last one (skipping those
 * outside the catchup window), buffers them under the overlap policy, starts what it may, and
 * sleeps until the next action time. State is plain JSON (`snapshot()`/`restore()`); `onChange`
 * is called after every change of it.
 */
import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { invalidArgument, notFound, ServiceError } from '../errors';
import { durationMs, enums, type IPayload, temporal, timestampMs, toNum } from '../proto';
import type { TimerHandle } from './clock';
import type { Engine } from './engine';
import type { Execution } from './execution';
import type { Namespace } from './namespaces';
import { compileSpec, type NextTime, nextTime, type ScheduleSpec, SpecError } from './schedule-spec';

const OP = enums.ScheduleOverlapPolicy;
type OverlapPolicy = temporal.api.enums.v1.ScheduleOverlapPolicy;

/** The scheduler's tweakables, as the real server sets them. */
export const SCHEDULE_DEFAULTS = {
  catchupWindowMs: 365 * 24 * 3600 * 1000,
  minCatchupWindowMs: 10_000,
  futureActionCount: 10,
  recentActionCount: 10,
  futureActionCountForList: 5,
  recentActionCountForList: 5,
  maxBufferSize: 1000,
  maxMatchingTimes: 1000,
  /** An idle schedule (nothing left to do) is deleted this long after its last event. */
  retentionMs: 7 * 24 * 3600 * 1000,
};

export interface BufferedStart {
  nominal: number;
  actual: number;
  /** UNSPECIFIED resolves to the schedule's policy when the buffer is processed. */
  overlapPolicy: OverlapPolicy;
  manual: boolean;
}

export interface ActionResult {
  scheduleTime: number;
  actualTime: number;
  workflowId: string;
  runId: string;
  status: temporal.api.enums.v1.WorkflowExecutionStatus;
}

/** Everything about one schedule; plain JSON (payload-bearing protos are base64 of their encoding). */
export interface ScheduleRecord {
  namespace: string;
  scheduleId: string;
  createRequestId: string;
  spec: ScheduleSpec;
  /** base64 of temporal.api.schedule.v1.ScheduleAction */
  action: string;
  overlapPolicy: OverlapPolicy;
  catchupWindowMs: number;
  pauseOnFailure: boolean;
  keepOriginalWorkflowId: boolean;
  paused: boolean;
  notes: string;
  limitedActions: boolean;
  remainingActions: number;
  /** base64 of temporal.api.common.v1.Memo / SearchAttributes of the schedule itself */
  memo: string;
  searchAttributes: string;
  conflictToken: number;
  createTime: number;
  updateTime: number;
  lastProcessedTime: number;
  actionCount: number;
  missedCatchupWindow: number;
  overlapSkipped: number;
  bufferDropped: number;
  buffer: BufferedStart[];
  /** Backfills not yet fully buffered: (start, end] still to take. */
  backfills: { start: number; end: number; overlapPolicy: OverlapPolicy }[];
  recentActions: ActionResult[];
  /** Started by this schedule and not seen closed: workflow id and first run id. */
  running: { workflowId: string; runId: string }[];
  /** base64 of temporal.api.common.v1.Payloads / temporal.api.failure.v1.Failure, '' when none */
  lastCompletionResult: string;
  continuedFailure: string;
}

export interface SchedulesSnapshot {
  version: 1;
  schedules: ScheduleRecord[];
}

type Proto = temporal.api.schedule.v1.ISchedule;

const encodeB64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const decodeB64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

export function encodeAction(a: temporal.api.schedule.v1.IScheduleAction): string {
  return encodeB64(temporal.api.schedule.v1.ScheduleAction.encode(a).finish());
}
export function decodeAction(s: string): temporal.api.schedule.v1.ScheduleAction {
  return temporal.api.schedule.v1.ScheduleAction.decode(decodeB64(s));
}
export function encodeFields(fields: Record<string, IPayload> | null | undefined): string {
  return encodeB64(temporal.api.common.v1.Memo.encode({ fields: fields ?? {} }).finish());
}
export function decodeFields(s: string): Record<string, IPayload> {
  return s ? (temporal.api.common.v1.Memo.decode(decodeB64(s)).fields as Record<string, IPayload>) : {};
}

function jsonPayload(value: unknown, type: string): IPayload {
  return {
    metadata: { encoding: Buffer.from('json/plain'), type: Buffer.from(type) },
    data: Buffer.from(JSON.stringify(value)),
  };
}

/** `2026-12-31T18:00:00Z`: Go's RFC 3339 in UTC, whole seconds, as the server appends it to ids. */
export function rfc3339(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

function specError(e: unknown): never {
  if (e instanceof SpecError) throw invalidArgument(`Invalid schedule spec: ${e.message}`);
  throw e;
}

const CLOSED_STATUS: Record<string, temporal.api.enums.v1.WorkflowExecutionStatus> = {
  Completed: enums.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED,
  Failed: enums.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED,
  Canceled: enums.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED,
  Terminated: enums.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TERMINATED,
  TimedOut: enums.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TIMED_OUT,
  ContinuedAsNew: enums.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW,
};

export class ScheduleStore {
  /** namespace \0 scheduleId → record */
  private readonly records = new Map<string, ScheduleRecord>();
  private readonly timers = new Map<string, TimerHandle>();
  private readonly pendingWake = new Set<string>();
  /** Called after every change of the state `snapshot()` returns (persist then). */
  onChange: (() => void) | undefined;

  constructor(private readonly engine: Engine) {
    engine.closeListeners.add((exec) => this.workflowClosed(exec));
  }

  private key(namespace: string, scheduleId: string): string {
    return `${namespace}\u0000${scheduleId}`;
  }

  get(ns: Namespace, scheduleId: string): ScheduleRecord {
    const rec = this.records.get(this.key(ns.name, scheduleId));
    if (!rec) throw notFound(`schedule not found: ${scheduleId}`);
    return rec;
  }

  list(ns: Namespace): ScheduleRecord[] {
    return [...this.records.values()]
      .filter((r) => r.namespace === ns.name)
      .sort((a, b) => a.scheduleId.localeCompare(b.scheduleId));
  }

  // ---- requests --------------------------------------------------------------------------

  /**
   * The action with its workflow's search attributes typed as the server keeps them, so Describe gives
   * each its registered type (the SDK reads typed search attributes only from typed payloads).
   */
  private typedAction(
    ns: Namespace,
    a: temporal.api.schedule.v1.IScheduleAction,
  ): temporal.api.schedule.v1.IScheduleAction {
    const sa = a.startWorkflow?.searchAttributes?.indexedFields;
    if (!sa) return a;
    return {
      ...a,
      startWorkflow: {
        ...a.startWorkflow,
        searchAttributes: {
          indexedFields: this.engine.typeSearchAttributes(ns, sa as Record<string, IPayload>),
        },
      },
    };
  }

  /** Validate a Schedule message into the record fields it sets (spec, action, policies, state). */
  private fromProto(ns: Namespace, schedule: Proto | null | undefined) {
    const start = schedule?.action?.startWorkflow;
    if (!start) throw invalidArgument('Schedule action is not set.');
    if (!start.workflowId) throw invalidArgument('WorkflowId is not set on request.');
    if (!start.workflowType?.name) throw invalidArgument('WorkflowType is not set on request.');
    if (!start.taskQueue?.name) throw invalidArgument('TaskQueue is not set on request.');
    if (start.workflowId.length > 1000 - '-2009-11-10T23:00:00Z'.length)
      throw invalidArgument('WorkflowId exceeds length limit.');
    this.engine.validateSearchAttributes(ns, start.searchAttributes?.indexedFields);
    let spec: ScheduleSpec;
    try {
      spec = compileSpec(schedule?.spec);
    } catch (e) {
      specError(e);
    }
    const p = schedule?.policies ?? {};
    const cw = durationMs(p.catchupWindow);
    const st = schedule?.state ?? {};
    return {
      spec,
      action: encodeAction(this.typedAction(ns, schedule.action!)),
      overlapPolicy: p.overlapPolicy || OP.SCHEDULE_OVERLAP_POLICY_SKIP,
      catchupWindowMs: p.catchupWindow
        ? Math.max(cw, SCHEDULE_DEFAULTS.minCatchupWindowMs)
        : SCHEDULE_DEFAULTS.catchupWindowMs,
      pauseOnFailure: p.pauseOnFailure ?? false,
      keepOriginalWorkflowId: p.keepOriginalWorkflowId ?? false,
      paused: st.paused ?? false,
      notes: st.notes ?? '',
      limitedActions: st.limitedActions ?? false,
      remainingActions: Math.max(0, toNum(st.remainingActions)),
    };
  }

  create(
    ns: Namespace,
    scheduleId: string,
    r: temporal.api.workflowservice.v1.ICreateScheduleRequest,
  ): ScheduleRecord {
    const existing = this.records.get(this.key(ns.name, scheduleId));
    if (existing) {
      if (r.requestId && existing.createRequestId === r.requestId) return existing;
      throw new ServiceError(status.ALREADY_EXISTS, 'schedule with this ID is already registered');
    }
    const fields = this.fromProto(ns, r.schedule);
    this.engine.validateSearchAttributes(ns, r.searchAttributes?.indexedFields);
    const now = this.engine.clock.now();
    const rec: ScheduleRecord = {
      namespace: ns.name,
      scheduleId,
      createRequestId: r.requestId || randomUUID(),
      ...fields,
      memo: encodeFields(r.memo?.fields),
      searchAttributes: encodeFields(this.engine.typeSearchAttributes(ns, r.searchAttributes?.indexedFields)),
      conflictToken: 1,
      createTime: now,
      updateTime: 0,
      lastProcessedTime: now,
      actionCount: 0,
      missedCatchupWindow: 0,
      overlapSkipped: 0,
      bufferDropped: 0,
      buffer: [],
      backfills: [],
      recentActions: [],
      running: [],
      lastCompletionResult: '',
      continuedFailure: '',
    };
    this.records.set(this.key(ns.name, scheduleId), rec);
    if (r.initialPatch) this.applyPatch(rec, r.initialPatch);
    this.iterate(rec);
    return rec;
  }

  update(ns: Namespace, scheduleId: string, r: temporal.api.workflowservice.v1.IUpdateScheduleRequest): void {
    const rec = this.get(ns, scheduleId);
    const fields = this.fromProto(ns, r.schedule);
    if (r.searchAttributes) this.engine.validateSearchAttributes(ns, r.searchAttributes.indexedFields);
    if (r.conflictToken?.length && r.conflictToken.length !== 8)
      throw invalidArgument('Invalid conflict token.');
    const token = r.conflictToken?.length ? Buffer.from(r.conflictToken).readBigInt64BE(0) : 0n;
    // As the server does since temporalio/temporal#8474 (the legacy scheduler workflow only dropped it).
    if (token !== 0n && token !== BigInt(rec.conflictToken)) {
      throw new ServiceError(status.FAILED_PRECONDITION, 'mismatched conflict token');
    }
    // Run what was due under the old spec first, as the workflow does before handling the signal.
    this.catchUp(rec);
    Object.assign(rec, fields);
    if (r.searchAttributes)
      rec.searchAttributes = encodeFields(
        this.engine.typeSearchAttributes(ns, r.searchAttributes.indexedFields),
      );
    if (r.memo) rec.memo = encodeFields(r.memo.fields);
    rec.updateTime = this.engine.clock.now();
    rec.conflictToken++;
    this.iterate(rec);
  }

  patch(ns: Namespace, scheduleId: string, p: temporal.api.schedule.v1.ISchedulePatch): void {
    const rec = this.get(ns, scheduleId);
    this.catchUp(rec);
    this.applyPatch(rec, p);
    this.iterate(rec);
  }

  delete(ns: Namespace, scheduleId: string): void {
    const rec = this.get(ns, scheduleId);
    const key = this.key(rec.namespace, rec.scheduleId);
    this.timers.get(key)?.cancel();
    this.timers.delete(key);
    this.records.delete(key);
    this.changed();
  }

  /** Matching times in (start, end], at most 1000, like the scheduler's listMatchingTimes query. */
  matchingTimes(rec: ScheduleRecord, startMs: number, endMs: number): number[] {
    const out: number[] = [];
    let t = startMs;
    while (out.length < SCHEDULE_DEFAULTS.maxMatchingTimes) {
      const n = this.next(rec, t);
      if (!n || n.next > endMs) break;
      out.push(n.next);
      t = n.next;
    }
    return out;
  }

  /** Next action times from the last processed time: limited by remaining actions, none before an update. */
  futureActionTimes(rec: ScheduleRecord, count: number): number[] {
    const n = rec.limitedActions ? Math.min(rec.remainingActions, count) : count;
    const out: number[] = [];
    let t = rec.lastProcessedTime;
    while (out.length < n) {
      const next = this.next(rec, t);
      if (!next) break;
      t = next.next;
      if (rec.updateTime > t) continue;
      out.push(t);
    }
    return out;
  }

  // ---- persistence -----------------------------------------------------------------------

  snapshot(): SchedulesSnapshot {
    return { version: 1, schedules: structuredClone([...this.records.values()]) };
  }

  /**
   * Replace every schedule with the snapshot's and wake each one: what fell due while the server
   * was down runs if still inside its catchup window, and closed workflows are noticed.
   */
  restore(snapshot: SchedulesSnapshot): void {
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
    this.records.clear();
    for (const rec of structuredClone(snapshot.schedules))
      this.records.set(this.key(rec.namespace, rec.scheduleId), rec);
    for (const rec of this.records.values()) this.iterate(rec);
  }

  stop(): void {
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
  }

  // ---- the scheduler loop ----------------------------------------------------------------

  private changed(): void {
    this.onChange?.();
  }

  private seed(rec: ScheduleRecord): string {
    return `${this.engine.namespaces.find(rec.namespace)?.id ?? rec.namespace}-${rec.scheduleId}`;
  }

  private next(rec: ScheduleRecord, after: number): NextTime | null {
    return nextTime(rec.spec, this.seed(rec), after);
  }

  private canTakeScheduledAction(rec: ScheduleRecord, manual: boolean, decrement: boolean): boolean {
    if (manual) return true;
    if (rec.paused) return false;
    if (!rec.limitedActions) return true;
    if (rec.remainingActions > 0) {
      if (decrement) rec.remainingActions--;
      return true;
    }
    return false;
  }

  private resolve(rec: ScheduleRecord, p: OverlapPolicy): OverlapPolicy {
    return p || rec.overlapPolicy || OP.SCHEDULE_OVERLAP_POLICY_SKIP;
  }

  private addStart(
    rec: ScheduleRecord,
    nominal: number,
    actual: number,
    policy: OverlapPolicy,
    manual: boolean,
  ) {
    if (rec.buffer.length >= SCHEDULE_DEFAULTS.maxBufferSize) {
      rec.bufferDropped++;
      return;
    }
    rec.buffer.push({ nominal, actual, overlapPolicy: policy, manual });
  }

  /** Buffer the spec's times in (start, end]; returns the next action time after the range. */
  /**
   * Buffer the spec's times in (start, end], at most `limit` of them. Returns the first action time
   * not taken (after the range, or where the limit stopped), or null when the spec has no more.
   */
  private processTimeRange(
    rec: ScheduleRecord,
    start: number,
    end: number,
    policy: OverlapPolicy,
    manual: boolean,
    limit = Number.POSITIVE_INFINITY,
  ): number | null {
    // Paused or out of actions: the range is skipped, not counted as missed.
    if (!this.canTakeScheduledAction(rec, manual, false)) return this.next(rec, end)?.next ?? null;
    let n = this.next(rec, start);
    let taken = 0;
    for (; n && n.next <= end && taken < limit; n = this.next(rec, n.next)) {
      // After an update, times before it belong to the old spec.
      if (!manual && rec.updateTime > n.next) continue;
      if (!manual && end - n.next > rec.catchupWindowMs) {
        rec.missedCatchupWindow++;
        continue;
      }
      this.addStart(rec, n.nominal, n.next, policy, manual);
      taken++;
    }
    return n?.next ?? null;
  }

  /**
   * Backfills run incrementally, using at most half the buffer, so a long one neither floods the
   * buffer nor blocks the schedule; what is left waits for room (a run closing).
   */
  private processBackfills(rec: ScheduleRecord): void {
    while (rec.backfills.length > 0) {
      const room = SCHEDULE_DEFAULTS.maxBufferSize / 2 - rec.buffer.length;
      if (room <= 0) return;
      const b = rec.backfills[0]!;
      const next = this.processTimeRange(rec, b.start, b.end, b.overlapPolicy, true, room);
      if (next === null || next > b.end) rec.backfills.shift();
      // Resume just before the first time not yet taken.
      else b.start = next - 1;
      while (this.processBuffer(rec)) {
        // Start what may start before taking more of the backfill.
      }
    }
  }

  private applyPatch(rec: ScheduleRecord, p: temporal.api.schedule.v1.ISchedulePatch): void {
    const now = this.engine.clock.now();
    if (p.triggerImmediately) {
      const at = p.triggerImmediately.scheduledTime ? timestampMs(p.triggerImmediately.scheduledTime) : now;
      this.addStart(rec, at, at, p.triggerImmediately.overlapPolicy ?? 0, true);
    }
    for (const b of p.backfillRequest ?? []) {
      if (rec.backfills.length >= SCHEDULE_DEFAULTS.maxBufferSize) {
        rec.bufferDropped++;
        continue;
      }
      // The start is inclusive (the server moves it back a millisecond).
      rec.backfills.push({
        start: timestampMs(b.startTime) - 1,
        end: timestampMs(b.endTime),
        overlapPolicy: b.overlapPolicy ?? 0,
      });
    }
    if (p.pause) {
      rec.paused = true;
      rec.notes = p.pause;
      rec.conflictToken++;
    }
    if (p.unpause) {
      rec.paused = false;
      rec.notes = p.unpause;
      rec.conflictToken++;
    }
  }

  /** Buffer what fell due since the last wake-up (before a signal changes the schedule). */
  private catchUp(rec: ScheduleRecord): void {
    const now = Math.max(this.engine.clock.now(), rec.lastProcessedTime);
    this.processTimeRange(rec, rec.lastProcessedTime, now, 0, false);
    rec.lastProcessedTime = now;
  }

  /** One scheduler iteration: due times, the buffer, then sleep until the next action time. */
  private iterate(rec: ScheduleRecord): void {
    const key = this.key(rec.namespace, rec.scheduleId);
    if (this.records.get(key) !== rec) return;
    const now = Math.max(this.engine.clock.now(), rec.lastProcessedTime);
    const nextWakeup = this.processTimeRange(rec, rec.lastProcessedTime, now, 0, false);
    rec.lastProcessedTime = now;
    this.processBackfills(rec);
    while (this.processBuffer(rec)) {
      // Until nothing more can start now.
    }
    this.timers.get(key)?.cancel();
    this.timers.delete(key);
    let wakeAt = nextWakeup !== null && this.canTakeScheduledAction(rec, false, false) ? nextWakeup : null;
    const expiry = this.retentionExpiry(rec, wakeAt);
    if (expiry !== null) {
      if (expiry <= this.engine.clock.now()) {
        // Idle past retention: the scheduler workflow ends and the schedule is gone.
        this.records.delete(key);
        this.changed();
        return;
      }
      wakeAt = expiry;
    }
    if (wakeAt !== null) {
      this.timers.set(
        key,
        this.engine.clock.schedule(wakeAt, () => {
          this.timers.delete(key);
          this.iterate(rec);
        }),
      );
    }
    this.changed();
  }

  /**
   * When a schedule that can never act again (no more times, or out of actions) is deleted: a
   * retention after its last event (creation, update or action). Null while it may still act or
   * is paused (a paused schedule waits for unpause).
   */
  private retentionExpiry(rec: ScheduleRecord, wakeAt: number | null): number | null {
    if (rec.paused || wakeAt !== null || rec.backfills.length > 0 || rec.buffer.length > 0) return null;
    const lastAction = rec.recentActions[rec.recentActions.length - 1]?.actualTime ?? 0;
    return Math.max(lastAction, rec.createTime, rec.updateTime) + SCHEDULE_DEFAULTS.retentionMs;
  }

  /** Notice closed workflows we started: recent-action status, pause-on-failure, last result. */
  private refresh(rec: ScheduleRecord): void {
    for (const r of [...rec.running]) {
      const exec = this.latestRun(rec, r);
      if (exec?.running) continue;
      this.runClosed(rec, r, exec);
    }
  }

  /** The newest run of the chain a schedule started (retries and continue-as-new move it on), if kept. */
  private latestRun(rec: ScheduleRecord, r: { workflowId: string; runId: string }): Execution | undefined {
    const ns = this.engine.namespaces.find(rec.namespace);
    if (!ns) return undefined;
    let exec: Execution;
    try {
      exec = this.engine.findByRun(ns, r.workflowId, r.runId);
      while (exec.nextRunId) exec = this.engine.findByRun(ns, r.workflowId, exec.nextRunId);
    } catch {
      return undefined;
    }
    return exec;
  }

  private runClosed(
    rec: ScheduleRecord,
    run: { workflowId: string; runId: string },
    exec: Execution | undefined,
  ): void {
    const { workflowId } = run;
    rec.running = rec.running.filter((r) => r.workflowId !== workflowId || r.runId !== run.runId);
    const st = exec
      ? CLOSED_STATUS[exec.status]
      : enums.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED;
    const recent = rec.recentActions.find((a) => a.workflowId === workflowId && a.runId === run.runId);
    if (recent && st) recent.status = st;
    const ev = exec?.closeEvent;
    const failure = ev?.workflowExecutionFailedEventAttributes?.failure;
    const S = enums.WorkflowExecutionStatus;
    if (rec.pauseOnFailure && !rec.paused) {
      if (st === S.WORKFLOW_EXECUTION_STATUS_FAILED) {
        rec.paused = true;
        rec.notes = `paused due to workflow failure: ${workflowId}: ${failure?.message ?? ''}`;
        rec.conflictToken++;
      } else if (st === S.WORKFLOW_EXECUTION_STATUS_TIMED_OUT) {
        rec.paused = true;
        rec.notes = `paused due to workflow timeout: ${workflowId}`;
        rec.conflictToken++;
      }
    }
    const result = ev?.workflowExecutionCompletedEventAttributes?.result;
    if (ev?.workflowExecutionCompletedEventAttributes) {
      rec.lastCompletionResult = result
        ? encodeB64(temporal.api.common.v1.Payloads.encode(result).finish())
        : '';
      rec.continuedFailure = '';
    } else if (failure) {
      rec.continuedFailure = encodeB64(temporal.api.failure.v1.Failure.encode(failure).finish());
    }
  }

  /** The buffer under the overlap policies (Temporal's processBuffer); true when worth another pass. */
  private processBuffer(rec: ScheduleRecord): boolean {
    this.refresh(rec);
    if (rec.buffer.length === 0) return false;
    const isRunning = rec.running.length > 0;
    const overlapping: BufferedStart[] = [];
    let nonOverlapping: BufferedStart | undefined;
    const newBuffer: BufferedStart[] = [];
    let needCancel = false;
    let needTerminate = false;
    for (const start of rec.buffer) {
      const policy = this.resolve(rec, start.overlapPolicy);
      if (policy === OP.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL) {
        overlapping.push(start);
        continue;
      }
      if (!isRunning && !nonOverlapping) {
        nonOverlapping = start;
        continue;
      }
      switch (policy) {
        case OP.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE:
          if (newBuffer.length === 0) newBuffer.push(start);
          else rec.overlapSkipped++;
          break;
        case OP.SCHEDULE_OVERLAP_POLICY_BUFFER_ALL:
          newBuffer.push(start);
          break;
        case OP.SCHEDULE_OVERLAP_POLICY_CANCEL_OTHER:
        case OP.SCHEDULE_OVERLAP_POLICY_TERMINATE_OTHER:
          if (isRunning) {
            if (policy === OP.SCHEDULE_OVERLAP_POLICY_CANCEL_OTHER) needCancel = true;
            else needTerminate = true;
            // Started once the running one has closed.
            newBuffer.push(start);
          } else {
            nonOverlapping = start;
          }
          break;
        default:
          rec.overlapSkipped++;
      }
    }
    rec.buffer = newBuffer;
    const starts = needCancel || needTerminate ? [] : overlapping;
    if (nonOverlapping) starts.push(nonOverlapping);
    let tryAgain = false;
    for (const start of starts) {
      if (!this.canTakeScheduledAction(rec, start.manual, true)) {
        tryAgain = true;
        continue;
      }
      const result = this.startWorkflow(rec, start);
      if (!result) {
        tryAgain = true;
        continue;
      }
      rec.actionCount++;
      rec.recentActions.push(result);
      if (rec.recentActions.length > SCHEDULE_DEFAULTS.recentActionCount) rec.recentActions.shift();
      // ALLOW_ALL runs are not tracked (they may overlap anything).
      if (start === nonOverlapping) rec.running.push({ workflowId: result.workflowId, runId: result.runId });
    }
    if (needTerminate || needCancel) {
      for (const r of rec.running) {
        const exec = this.latestRun(rec, r);
        if (!exec?.running) continue;
        const identity = this.identity(rec);
        try {
          if (needTerminate) exec.terminate('terminated by schedule overlap policy', null, identity);
          else exec.requestCancel('cancelled by schedule overlap policy', identity);
        } catch (e) {
          this.engine.log('warn', `schedule ${rec.scheduleId}: ${(e as Error).message}`);
        }
      }
    }
    return tryAgain;
  }

  private identity(rec: ScheduleRecord): string {
    return `temporal-scheduler-${rec.namespace}-${rec.scheduleId}`;
  }

  private startWorkflow(rec: ScheduleRecord, start: BufferedStart): ActionResult | null {
    const ns = this.engine.namespaces.find(rec.namespace);
    const w = decodeAction(rec.action).startWorkflow;
    if (!ns || !w) return null;
    const nominalSec = Math.floor(start.nominal / 1000) * 1000;
    const baseId = w.workflowId ?? '';
    const workflowId = rec.keepOriginalWorkflowId ? baseId : `${baseId}-${rfc3339(nominalSec)}`;
    const allowAll = this.resolve(rec, start.overlapPolicy) === OP.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL;
    const t = this.engine.timeouts(
      durationMs(w.workflowExecutionTimeout),
      durationMs(w.workflowRunTimeout),
      durationMs(w.workflowTaskTimeout),
    );
    const now = this.engine.clock.now();
    const searchAttributes: Record<string, IPayload> = {
      ...((w.searchAttributes?.indexedFields ?? {}) as Record<string, IPayload>),
      TemporalScheduledStartTime: jsonPayload(rfc3339(nominalSec), 'Datetime'),
      TemporalScheduledById: jsonPayload(rec.scheduleId, 'Keyword'),
    };
    try {
      const { exec } = this.engine.startWorkflow(
        ns,
        {
          workflowId,
          workflowType: w.workflowType?.name ?? '',
          taskQueue: w.taskQueue?.name ?? '',
          input: w.input ?? null,
          header: w.header ?? null,
          memo: (w.memo?.fields ?? {}) as Record<string, IPayload>,
          searchAttributes,
          ...t,
          retryPolicy: w.retryPolicy ?? null,
          cronSchedule: '',
          identity: this.identity(rec),
          requestId: randomUUID(),
          startDelayMs: 0,
          attempt: 1,
          executionDeadline: t.executionTimeoutMs ? now + t.executionTimeoutMs : 0,
          userMetadata: w.userMetadata ?? null,
          priority: w.priority ?? null,
          // ALLOW_ALL runs do not take part in last completion result / continued failure.
          lastCompletionResult:
            !allowAll && rec.lastCompletionResult
              ? temporal.api.common.v1.Payloads.decode(decodeB64(rec.lastCompletionResult))
              : null,
          continuedFailure:
            !allowAll && rec.continuedFailure
              ? temporal.api.failure.v1.Failure.decode(decodeB64(rec.continuedFailure))
              : null,
        },
        {
          // Scheduled starts refuse a duplicate id; manual ones (trigger, backfill) may reuse it.
          reuse: start.manual
            ? enums.WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE
            : enums.WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
          conflict: enums.WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
        },
      );
      return {
        scheduleTime: start.actual,
        actualTime: exec.startTime,
        workflowId,
        runId: exec.runId,
        status: enums.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING,
      };
    } catch (e) {
      this.engine.log(
        'warn',
        `schedule ${rec.scheduleId}: start of ${workflowId} failed: ${(e as Error).message}`,
      );
      return null;
    }
  }

  /** A run closed somewhere: wake the schedule that started its chain (after the current call). */
  private workflowClosed(exec: Execution): void {
    if (exec.nextRunId) return;
    for (const rec of this.records.values()) {
      if (rec.namespace !== exec.ns.name) continue;
      if (!rec.running.some((r) => r.workflowId === exec.workflowId && r.runId === exec.firstRunId)) continue;
      const key = this.key(rec.namespace, rec.scheduleId);
      if (this.pendingWake.has(key)) continue;
      this.pendingWake.add(key);
      // Not re-entrant: a close can happen inside our own terminate.
      queueMicrotask(() => {
        this.pendingWake.delete(key);
        this.iterate(rec);
      });
    }
  }
}
