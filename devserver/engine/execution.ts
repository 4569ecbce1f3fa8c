/**
 * One workflow run: its history and mutable state (workflow task, activities, timers, children,
 * updates, queries). Events that arrive while a workflow task is started are buffered and appended
 * after its completion, as the real server does, so histories replay on any Temporal worker.
 */
import { randomUUID } from 'node:crypto';
import { notFound, resourceExhausted, workflowCompleted } from '../errors';
import {
  anyTypeName,
  durationMs,
  enums,
  type IFailure,
  type IHistoryEvent,
  type IPayload,
  type IPayloads,
  type Loose,
  msToDuration,
  msToTimestamp,
  packAny,
  type temporal,
  tight,
  timestampMs,
  temporal as tproto,
} from '../proto';
import type { VisibilityRecord } from '../visibility-record';
import {
  type ActivityState,
  type NormalizedActivity,
  nextActivityRetry,
  normalizeActivity,
  timeoutFailure,
} from './activity';
import type { Clock, TimerHandle } from './clock';
import { eventBytes } from './event-bytes';
import { blobTooLarge, type Limits } from './limits';
import type { Matching } from './matching';
import type { Namespace } from './namespaces';
import { encodeToken } from './token';
import type {
  ActivityTaskResponse,
  QueryWaiter,
  StartParams,
  Status,
  UpdateState,
  WorkflowTaskResponse,
} from './types';

const ET = enums.EventType;
const updv1 = tproto.api.update.v1;
type Command = temporal.api.command.v1.ICommand;
type Message = Loose<temporal.api.protocol.v1.IMessage>;

/** What an execution needs from the engine around it. */
export interface Host {
  clock: Clock;
  workflowTasks: Matching<WorkflowTaskResponse>;
  activityTasks: Matching<ActivityTaskResponse>;
  queueKey(namespace: string, queue: string): string;
  startChild(
    parent: Execution,
    initiatedEventId: number,
    attrs: temporal.api.command.v1.IStartChildWorkflowExecutionCommandAttributes,
    userMetadata?: temporal.api.sdk.v1.IUserMetadata | null,
  ): void;
  signalExternal(
    source: Execution,
    initiatedEventId: number,
    attrs: temporal.api.command.v1.ISignalExternalWorkflowExecutionCommandAttributes,
  ): void;
  cancelExternal(
    source: Execution,
    initiatedEventId: number,
    attrs: temporal.api.command.v1.IRequestCancelExternalWorkflowExecutionCommandAttributes,
  ): void;
  /** Start the next run of this chain (continue-as-new, retry, cron) under the given run id. */
  startNextRun(prev: Execution, params: StartParams, runId: string): void;
  closed(exec: Execution): void;
  validateSearchAttributes(ns: Namespace, attrs: Record<string, IPayload> | null | undefined): void;
  /** The attributes with their registered types in each payload's metadata (as the server stores them). */
  typeSearchAttributes(
    ns: Namespace,
    attrs: Record<string, IPayload> | null | undefined,
  ): Record<string, IPayload>;
  readonly limits: Limits;
  /** This run's state changed (history or not): the durable store writes it with the next commit. */
  changed(exec: Execution): void;
  log(level: 'debug' | 'info' | 'warn' | 'error', msg: string): void;
}

interface WorkflowTask {
  seq: number;
  attempt: number;
  /** 0 until the event exists (retried tasks get theirs when started, or never if transient). */
  scheduledEventId: number;
  startedEventId: number;
  transient: boolean;
  historyLenAtSchedule: number;
  queueKey: string;
  sticky: boolean;
  scheduledTime: number;
  originalScheduledTime: number;
  startedTime: number;
  timeout?: TimerHandle;
  backoff?: TimerHandle;
  /** Engine time the backoff ends (0 = none); kept so a restart resumes it. */
  backoffAt: number;
  stickyTimer?: NodeJS.Timeout;
  queries: QueryWaiter[];
  /** Updates whose requests went out with this task. */
  sentUpdates: UpdateState[];
}

interface TimerState {
  startedEventId: number;
  fireAt: number;
  handle: TimerHandle;
}

export interface ChildState {
  initiatedEventId: number;
  startedEventId: number;
  namespace: string;
  workflowId: string;
  runId: string;
  workflowType: string;
  parentClosePolicy: temporal.api.enums.v1.ParentClosePolicy;
}

type EventType = temporal.api.enums.v1.EventType;

interface ActivityStartedInfo {
  scheduledEventId: number;
  identity: string;
  attempt: number;
  lastFailure: IFailure | null;
}

/**
 * Events the workflow must see, as data rather than closures: while a workflow task is started they
 * wait in the buffer, and a buffered batch must survive a restart (see ../store). Ids that depend on
 * what is appended before them (an activity's started event, a child's) are filled in when applied.
 */
export type PendingEvents =
  | { k: 'event'; type: EventType; attrs: Loose<IHistoryEvent> }
  | {
      k: 'activity';
      /** The started event written with the closing one; null when the activity never started. */
      started: ActivityStartedInfo | null;
      type: EventType;
      field: string;
      attrs: Record<string, unknown>;
    }
  | { k: 'childStarted'; attrs: Record<string, unknown> }
  | { k: 'childClosed'; type: EventType; field: string; attrs: Record<string, unknown> };

// Seeded from the wall clock so a task token from before a restart never names a newer task.
let taskSeq = Date.now() * 1000;

export class Execution {
  readonly runId: string;
  readonly firstRunId: string;
  readonly history: IHistoryEvent[] = [];
  status: Status = 'Running';
  readonly startTime: number;
  closeTime = 0;
  closeEvent: IHistoryEvent | undefined;
  /** Run that continued this one (continue-as-new, retry, cron). */
  nextRunId = '';
  /** Run that a reset of this one started (its children's closes go there). */
  resetRunId = '';
  memo: Record<string, IPayload>;
  searchAttributes: Record<string, IPayload>;
  cancelRequested = false;
  readonly activities = new Map<number, ActivityState>();
  readonly timers = new Map<string, TimerState>();
  readonly children = new Map<number, ChildState>();
  readonly updates = new Map<string, UpdateState>();
  /** Outcomes of finished updates, for PollWorkflowExecutionUpdate and dedupe. */
  readonly finishedUpdates = new Map<string, temporal.api.update.v1.IOutcome>();
  readonly signalRequestIds = new Set<string>();
  readonly queries = new Map<string, QueryWaiter>();
  sticky: { queueKey: string; queue: string; scheduleToStartMs: number } | null = null;
  wt: WorkflowTask | null = null;
  lastCompletedStartedEventId = 0;
  stateTransitions = 0;
  private buffer: PendingEvents[] = [];
  private needWorkflowTask = false;
  /** Queries waiting for the started workflow task to finish. */
  private waitingQueries: QueryWaiter[] = [];
  private historyWaiters: (() => void)[] = [];
  private closeWaiters: (() => void)[] = [];
  private runTimeout?: TimerHandle;
  private executionTimeout?: TimerHandle;
  private startBackoff?: TimerHandle;
  private startBackoffAt = 0;
  private postTransaction: (() => void)[] = [];
  /** Encoded size of history[0..sizedEvents), counted lazily (each event is encoded once, see event-bytes.ts). */
  private sizedEvents = 0;
  private historyBytes = 0;
  /** The build id last added to BuildIds, so a completion from the same worker costs nothing. */
  private lastBuildId: string | undefined;
  /** While a workflow task completion is handled: activities the worker asked to run eagerly. */
  private eagerActivities: ActivityState[] | null = null;

  constructor(
    readonly host: Host,
    readonly ns: Namespace,
    readonly params: StartParams,
    runId?: string,
  ) {
    this.runId = runId ?? randomUUID();
    this.firstRunId = params.firstRunId ?? this.runId;
    this.startTime = host.clock.now();
    this.memo = { ...(params.memo ?? {}) };
    this.searchAttributes = { ...(params.searchAttributes ?? {}) };
  }

  get workflowId(): string {
    return this.params.workflowId;
  }
  get workflowType(): string {
    return this.params.workflowType;
  }
  get running(): boolean {
    return this.status === 'Running';
  }
  get nextEventId(): number {
    return this.history.length + 1;
  }
  get normalQueueKey(): string {
    return this.host.queueKey(this.ns.name, this.params.taskQueue);
  }
  get executionTime(): number {
    return this.startTime + this.params.startDelayMs;
  }
  get execution(): temporal.api.common.v1.IWorkflowExecution {
    return { workflowId: this.workflowId, runId: this.runId };
  }

  // ---- history ---------------------------------------------------------------------------

  append(eventType: temporal.api.enums.v1.EventType, attrs: Loose<IHistoryEvent>): number {
    const eventId = this.history.length + 1;
    attrs.eventId = eventId;
    attrs.eventTime = msToTimestamp(this.host.clock.now());
    attrs.eventType = eventType;
    attrs.taskId = eventId;
    this.history.push(tight<IHistoryEvent>(attrs));
    this.stateTransitions++;
    this.host.changed(this);
    if (this.historyWaiters.length > 0) {
      const ws = this.historyWaiters;
      this.historyWaiters = [];
      for (const w of ws) w();
    }
    return eventId;
  }

  /** Bytes of the history as the server counts them (sum of encoded events), for history_size_bytes. */
  historySizeBytes(): number {
    const h = this.history;
    for (; this.sizedEvents < h.length; this.sizedEvents++) {
      this.historyBytes += eventBytes(h[this.sizedEvents]!).length;
    }
    return this.historyBytes;
  }

  /** What a workflow task started now tells the worker about its history (size, continue-as-new hint). */
  private historyHints(): Loose<temporal.api.history.v1.IWorkflowTaskStartedEventAttributes> {
    const bytes = this.historySizeBytes();
    const limits = this.host.limits;
    const R = enums.SuggestContinueAsNewReason;
    const reasons: temporal.api.enums.v1.SuggestContinueAsNewReason[] = [];
    if (bytes >= limits.historySizeSuggestContinueAsNew)
      reasons.push(R.SUGGEST_CONTINUE_AS_NEW_REASON_HISTORY_SIZE_TOO_LARGE);
    if (this.nextEventId >= limits.historyCountSuggestContinueAsNew)
      reasons.push(R.SUGGEST_CONTINUE_AS_NEW_REASON_TOO_MANY_HISTORY_EVENTS);
    return {
      historySizeBytes: bytes,
      suggestContinueAsNew: reasons.length > 0,
      suggestContinueAsNewReasons: reasons,
    };
  }

  /** Resolves on the next appended event (or close); for long-polling history readers. */
  onNextEvent(cb: () => void): () => void {
    return waitIn(this.historyWaiters, cb);
  }

  /**
   * Resolves on close only: the client's result long-poll (close event only) then wakes once per run, not
   * once per event.
   */
  onClose(cb: () => void): () => void {
    return waitIn(this.closeWaiters, cb);
  }

  /**
   * Add events that the workflow must see. While a workflow task is started they wait in the
   * buffer; otherwise they are appended now and a workflow task is scheduled.
   */
  addEvents(p: PendingEvents, needsTask = true): void {
    if (!this.running) return;
    if (this.wt && this.wt.startedEventId > 0) {
      this.buffer.push(p);
      if (needsTask) this.needWorkflowTask = true;
      this.host.changed(this);
      return;
    }
    this.applyPending(p);
    if (needsTask) this.scheduleWorkflowTask();
  }

  private flushBuffer(): boolean {
    if (this.buffer.length === 0) return false;
    const b = this.buffer;
    this.buffer = [];
    for (const p of b) this.applyPending(p);
    return true;
  }

  private applyPending(p: PendingEvents): void {
    switch (p.k) {
      case 'event':
        this.append(p.type, p.attrs);
        return;
      case 'activity': {
        const s = p.started;
        const startedEventId = s
          ? this.append(ET.EVENT_TYPE_ACTIVITY_TASK_STARTED, {
              activityTaskStartedEventAttributes: {
                scheduledEventId: s.scheduledEventId,
                identity: s.identity,
                requestId: randomUUID(),
                attempt: s.attempt,
                lastFailure: s.lastFailure,
              },
            })
          : 0;
        this.append(p.type, { [p.field]: { ...p.attrs, startedEventId } });
        return;
      }
      case 'childStarted': {
        const id = this.append(ET.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED, {
          childWorkflowExecutionStartedEventAttributes: p.attrs,
        });
        const c = this.children.get(p.attrs.initiatedEventId as number);
        if (c) c.startedEventId = id;
        return;
      }
      case 'childClosed': {
        // The started event may have been buffered with this one if the child finished very fast.
        const startedEventId =
          (p.attrs.startedEventId as number) || this.childStartedEventId(p.attrs.initiatedEventId as number);
        this.append(p.type, { [p.field]: { ...p.attrs, startedEventId } });
        return;
      }
    }
  }

  private childStartedEventId(initiatedEventId: number): number {
    for (let i = this.history.length - 1; i >= 0; i--) {
      const a = this.history[i]!.childWorkflowExecutionStartedEventAttributes;
      if (a && toInt(a.initiatedEventId) === initiatedEventId) return i + 1;
    }
    return 0;
  }

  // ---- start -----------------------------------------------------------------------------

  /**
   * Writes the start and schedules the first workflow task. `eager` (StartWorkflowExecution with
   * request_eager_execution): that task skips matching and comes back started, for the caller's answer,
   * as on the real server; null with a start delay (nothing to run yet).
   */
  start(eager = false): WorkflowTaskResponse | null {
    const p = this.params;
    const now = this.host.clock.now();
    this.append(ET.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, {
      workflowExecutionStartedEventAttributes: {
        workflowType: { name: p.workflowType },
        parentWorkflowNamespace: p.parent?.namespace ?? '',
        parentWorkflowNamespaceId: p.parent?.namespaceId ?? '',
        parentWorkflowExecution: p.parent ? { workflowId: p.parent.workflowId, runId: p.parent.runId } : null,
        parentInitiatedEventId: p.parent?.initiatedEventId ?? 0,
        taskQueue: { name: p.taskQueue, kind: enums.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
        input: p.input ?? null,
        workflowExecutionTimeout: p.executionTimeoutMs ? msToDuration(p.executionTimeoutMs) : null,
        workflowRunTimeout: p.runTimeoutMs ? msToDuration(p.runTimeoutMs) : null,
        workflowTaskTimeout: msToDuration(p.taskTimeoutMs),
        continuedExecutionRunId: p.continuedFromRunId ?? '',
        rootWorkflowExecution: p.root ?? null,
        initiator: p.initiator ?? 0,
        continuedFailure: p.continuedFailure ?? null,
        lastCompletionResult: p.lastCompletionResult ?? null,
        originalExecutionRunId: this.runId,
        identity: p.identity,
        firstExecutionRunId: this.firstRunId,
        retryPolicy: p.retryPolicy ?? null,
        attempt: p.attempt,
        workflowExecutionExpirationTime: p.executionDeadline ? msToTimestamp(p.executionDeadline) : null,
        cronSchedule: p.cronSchedule ?? '',
        firstWorkflowTaskBackoff: p.startDelayMs ? msToDuration(p.startDelayMs) : null,
        memo: Object.keys(this.memo).length ? { fields: this.memo } : null,
        searchAttributes: Object.keys(this.searchAttributes).length
          ? { indexedFields: this.searchAttributes }
          : null,
        header: p.header ?? null,
        workflowId: p.workflowId,
        priority: p.priority ?? null,
      },
      userMetadata: p.userMetadata ?? null,
      links: p.links ?? [],
    });
    if (p.signal) {
      const s = p.signal;
      this.append(ET.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED, {
        workflowExecutionSignaledEventAttributes: {
          signalName: s.name,
          input: s.input ?? null,
          identity: s.identity,
          header: s.header ?? null,
        },
      });
    }
    if (p.runTimeoutMs > 0) {
      this.runTimeout = this.host.clock.schedule(now + p.runTimeoutMs, () => this.timedOut());
    }
    if (p.executionDeadline > 0 && (p.runTimeoutMs === 0 || p.executionDeadline < now + p.runTimeoutMs)) {
      this.executionTimeout = this.host.clock.schedule(p.executionDeadline, () => this.timedOut());
    }
    if (p.startDelayMs > 0) {
      this.armStartBackoff(now + p.startDelayMs);
      return null;
    }
    this.scheduleWorkflowTask(1, 0, eager);
    // Not started only if the start closed the run at once; a task not taken times out and is retried.
    return eager && this.wt ? this.startWorkflowTask(this.wt, this.wt.queueKey) : null;
  }

  private armStartBackoff(at: number): void {
    this.startBackoffAt = at;
    this.startBackoff = this.host.clock.schedule(at, () => {
      this.startBackoff = undefined;
      this.startBackoffAt = 0;
      this.scheduleWorkflowTask();
    });
  }

  // ---- workflow tasks --------------------------------------------------------------------

  /** `undispatched`: the caller starts the task itself (eager start), so it is not offered to pollers. */
  scheduleWorkflowTask(attempt = 1, backoffMs = 0, undispatched = false): void {
    if (!this.running || this.wt || this.startBackoff) return;
    const now = this.host.clock.now();
    const wt: WorkflowTask = {
      seq: ++taskSeq,
      attempt,
      scheduledEventId: 0,
      startedEventId: 0,
      transient: false,
      historyLenAtSchedule: this.history.length,
      queueKey: '',
      sticky: false,
      scheduledTime: now,
      originalScheduledTime: now,
      startedTime: 0,
      queries: [],
      sentUpdates: [],
      backoffAt: 0,
    };
    this.wt = wt;
    this.host.clock.busy(1);
    this.host.changed(this);
    if (attempt === 1) wt.scheduledEventId = this.appendWorkflowTaskScheduled(attempt);
    if (backoffMs > 0) {
      this.armWorkflowTaskBackoff(wt, now + backoffMs);
    } else if (undispatched) {
      wt.queueKey = this.normalQueueKey;
    } else {
      this.dispatchWorkflowTask(wt);
    }
  }

  private armWorkflowTaskBackoff(wt: WorkflowTask, at: number): void {
    wt.backoffAt = at;
    wt.backoff = this.host.clock.schedule(at, () => {
      wt.backoff = undefined;
      wt.backoffAt = 0;
      if (this.wt === wt) this.dispatchWorkflowTask(wt);
    });
  }

  private appendWorkflowTaskScheduled(attempt: number): number {
    return this.append(ET.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, {
      workflowTaskScheduledEventAttributes: {
        taskQueue: { name: this.params.taskQueue, kind: enums.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
        startToCloseTimeout: msToDuration(this.params.taskTimeoutMs),
        attempt,
      },
    });
  }

  private dispatchWorkflowTask(wt: WorkflowTask): void {
    const sticky = this.sticky;
    if (sticky) {
      wt.queueKey = sticky.queueKey;
      wt.sticky = true;
      // A sticky worker that does not poll in time has gone: fall back to the normal queue.
      // Real time on purpose: a task in flight holds the virtual clock still.
      wt.stickyTimer = setTimeout(() => {
        wt.stickyTimer = undefined;
        if (this.wt === wt && wt.startedEventId === 0 && wt.sticky) {
          this.sticky = null;
          this.redispatchNormal(wt);
        }
      }, sticky.scheduleToStartMs);
      wt.stickyTimer.unref();
    } else {
      wt.queueKey = this.normalQueueKey;
      wt.sticky = false;
    }
    this.offerWorkflowTask(wt);
  }

  /** Move a scheduled task off a sticky queue (timeout, worker shutdown, reset). */
  redispatchNormal(wt: WorkflowTask): void {
    if (wt.stickyTimer) clearTimeout(wt.stickyTimer);
    wt.stickyTimer = undefined;
    wt.sticky = false;
    wt.queueKey = this.normalQueueKey;
    if (!wt.backoff) this.offerWorkflowTask(wt);
  }

  private offerWorkflowTask(wt: WorkflowTask): void {
    const key = wt.queueKey;
    this.host.workflowTasks.offer(key, { deliver: () => this.startWorkflowTask(wt, key) });
  }

  /** Clear stickiness; a scheduled sticky task goes to the normal queue. */
  resetSticky(): void {
    this.sticky = null;
    const wt = this.wt;
    if (wt?.sticky && wt.startedEventId === 0) this.redispatchNormal(wt);
  }

  private startWorkflowTask(wt: WorkflowTask, key: string): WorkflowTaskResponse | null {
    if (this.wt !== wt || wt.startedEventId > 0 || wt.queueKey !== key || !this.running || wt.backoff)
      return null;
    if (wt.stickyTimer) clearTimeout(wt.stickyTimer);
    wt.stickyTimer = undefined;
    const now = this.host.clock.now();
    const transientEvents: Loose<IHistoryEvent>[] = [];
    wt.transient = wt.attempt > 1 && this.history.length === wt.historyLenAtSchedule;
    if (wt.transient) {
      // Retried task with nothing new to say: its events exist only in this response.
      wt.scheduledEventId = this.nextEventId;
      wt.startedEventId = wt.scheduledEventId + 1;
      transientEvents.push(
        {
          eventId: wt.scheduledEventId,
          eventTime: msToTimestamp(wt.scheduledTime),
          eventType: ET.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
          taskId: wt.scheduledEventId,
          workflowTaskScheduledEventAttributes: {
            taskQueue: { name: this.params.taskQueue, kind: enums.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
            startToCloseTimeout: msToDuration(this.params.taskTimeoutMs),
            attempt: wt.attempt,
          },
        },
        {
          eventId: wt.startedEventId,
          eventTime: msToTimestamp(now),
          eventType: ET.EVENT_TYPE_WORKFLOW_TASK_STARTED,
          taskId: wt.startedEventId,
          workflowTaskStartedEventAttributes: {
            scheduledEventId: wt.scheduledEventId,
            identity: '',
            requestId: '',
            ...this.historyHints(),
          },
        },
      );
    } else {
      if (wt.scheduledEventId === 0) wt.scheduledEventId = this.appendWorkflowTaskScheduled(wt.attempt);
      wt.startedEventId = this.append(ET.EVENT_TYPE_WORKFLOW_TASK_STARTED, {
        workflowTaskStartedEventAttributes: {
          scheduledEventId: wt.scheduledEventId,
          identity: '',
          requestId: randomUUID(),
          ...this.historyHints(),
        },
      });
    }
    wt.startedTime = now;
    wt.timeout = this.host.clock.after(this.params.taskTimeoutMs, () => this.workflowTaskTimedOut(wt));
    this.host.changed(this);

    const from = wt.sticky ? this.lastCompletedStartedEventId : 0;
    let events: Loose<IHistoryEvent>[] =
      from === 0 && transientEvents.length === 0 ? this.history.slice() : this.history.slice(from);
    if (transientEvents.length) events = events.concat(transientEvents);

    const queries: Record<string, temporal.api.query.v1.IWorkflowQuery> = {};
    for (const q of wt.queries) queries[q.id] = q.query;

    const messages: Message[] = [];
    for (const u of this.updates.values()) {
      if (u.stage !== 'admitted' && u.stage !== 'sent') continue;
      u.stage = 'sent';
      wt.sentUpdates.push(u);
      messages.push({
        id: `${u.id}/request`,
        protocolInstanceId: u.id,
        eventId: wt.startedEventId - 1,
        body: packAny('temporal.api.update.v1.Request', updv1.Request.encode(u.request).finish()),
      });
    }

    return {
      taskToken: encodeToken({
        kind: 'workflow',
        namespace: this.ns.name,
        workflowId: this.workflowId,
        runId: this.runId,
        seq: wt.seq,
      }),
      workflowExecution: this.execution,
      workflowType: { name: this.workflowType },
      previousStartedEventId: this.lastCompletedStartedEventId,
      startedEventId: wt.startedEventId,
      attempt: wt.attempt,
      backlogCountHint: 0,
      history: { events },
      nextPageToken: null,
      workflowExecutionTaskQueue: {
        name: this.params.taskQueue,
        kind: enums.TaskQueueKind.TASK_QUEUE_KIND_NORMAL,
      },
      scheduledTime: msToTimestamp(wt.scheduledTime),
      startedTime: msToTimestamp(now),
      queries,
      messages,
    };
  }

  /** The started workflow task a token names, or a NOT_FOUND error. */
  startedTask(seq: number): WorkflowTask {
    const wt = this.wt;
    if (!this.running || !wt || wt.seq !== seq || wt.startedEventId === 0) {
      throw workflowTaskNotFound();
    }
    return wt;
  }

  private endWorkflowTask(wt: WorkflowTask): void {
    wt.timeout?.cancel();
    wt.backoff?.cancel();
    if (wt.stickyTimer) clearTimeout(wt.stickyTimer);
    if (this.wt === wt) {
      this.wt = null;
      this.host.clock.busy(-1);
      this.host.changed(this);
    }
  }

  /** Write the events a transient task only promised, now that it produced something. */
  private materialize(wt: WorkflowTask): void {
    if (!wt.transient) return;
    wt.transient = false;
    const s = this.appendWorkflowTaskScheduled(wt.attempt);
    const st = this.append(ET.EVENT_TYPE_WORKFLOW_TASK_STARTED, {
      workflowTaskStartedEventAttributes: { scheduledEventId: s, identity: '', requestId: randomUUID() },
    });
    if (s !== wt.scheduledEventId || st !== wt.startedEventId) {
      this.host.log('error', `transient workflow task ids moved for ${this.workflowId}`);
    }
  }

  /**
   * Applies a completion. Returns the next workflow task when the worker asked for it (returnNewWorkflowTask)
   * and one is due at once, and the activities it asked to run eagerly (requestEagerExecution), started
   * here for it as the real server does: they skip matching, so no poll round trip.
   */
  completeWorkflowTask(
    wt: WorkflowTask,
    req: temporal.api.workflowservice.v1.IRespondWorkflowTaskCompletedRequest,
  ): { workflowTask: WorkflowTaskResponse | null; activityTasks: ActivityTaskResponse[] } {
    const commands = req.commands ?? [];
    const messages = new Map<string, temporal.api.protocol.v1.IMessage>();
    for (const m of req.messages ?? []) messages.set(m.id ?? '', m);

    // Validate first so a bad command writes nothing but the failure.
    const bad = this.validateCommands(commands);
    if (bad?.failWorkflow) {
      this.failWorkflowForCommand(wt, bad.cause, bad.message, req.identity ?? '');
      return { workflowTask: null, activityTasks: [] };
    }
    if (bad) {
      this.failWorkflowTask(wt, {
        cause: bad.cause,
        failure: { message: bad.message, applicationFailureInfo: { type: 'BadCommand', nonRetryable: true } },
        identity: req.identity ?? '',
      });
      return { workflowTask: null, activityTasks: [] };
    }
    const closes = commands.some(isClosingCommand);
    if (closes && this.buffer.length > 0) {
      // New events arrived while the worker decided to close: make it look at them first.
      this.failWorkflowTask(
        wt,
        {
          cause: enums.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND,
          failure: { message: 'UnhandledCommand' },
          identity: req.identity ?? '',
        },
        true,
      );
      return { workflowTask: null, activityTasks: [] };
    }

    wt.timeout?.cancel();
    this.materialize(wt);
    if (req.stickyAttributes?.workerTaskQueue?.name) {
      const name = req.stickyAttributes.workerTaskQueue.name;
      this.sticky = {
        queue: name,
        queueKey: this.host.queueKey(this.ns.name, name),
        scheduleToStartMs: durationMs(req.stickyAttributes.scheduleToStartTimeout) || 10_000,
      };
    } else {
      this.sticky = null;
    }
    const completedId = this.append(ET.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, {
      workflowTaskCompletedEventAttributes: {
        scheduledEventId: wt.scheduledEventId,
        startedEventId: wt.startedEventId,
        identity: req.identity ?? '',
        binaryChecksum: req.binaryChecksum ?? '',
        workerVersion: req.workerVersionStamp ?? null,
        sdkMetadata: req.sdkMetadata ?? null,
        meteringMetadata: req.meteringMetadata ?? null,
        deployment: req.deployment ?? null,
        versioningBehavior: req.versioningBehavior ?? 0,
        workerDeploymentName: req.deploymentOptions?.deploymentName ?? '',
      },
    });
    this.lastCompletedStartedEventId = wt.startedEventId;
    this.recordBuildId(req);

    // Queries that rode on this task.
    const answered = req.queryResults ?? {};
    for (const q of wt.queries) {
      const r = answered[q.id];
      if (r) answerQuery(q, r);
      else this.waitingQueries.push(q);
    }
    wt.queries = [];
    this.endWorkflowTask(wt);

    const eagerActivities: ActivityState[] = [];
    this.eagerActivities = eagerActivities;
    for (const cmd of commands) {
      if (!this.running) break;
      const pm = cmd.protocolMessageCommandAttributes;
      if (pm) {
        const m = messages.get(pm.messageId ?? '');
        if (m) {
          messages.delete(pm.messageId ?? '');
          this.handleMessage(m);
        }
        continue;
      }
      this.handleCommand(cmd, completedId);
    }
    for (const m of messages.values()) if (this.running) this.handleMessage(m);
    this.eagerActivities = null;
    // After every command, like the server's post-command actions: an activity cancelled, or a workflow
    // closed, by a later command of the same task is not handed out.
    const activityTasks: ActivityTaskResponse[] = [];
    for (const act of eagerActivities) {
      act.lastIdentity = req.identity ?? '';
      const task = this.startActivity(act, act.seq);
      if (task) activityTasks.push(task);
      else if (this.running && this.activities.get(act.scheduledEventId) === act) this.dispatchActivity(act);
    }
    // Sent but neither accepted nor rejected: deliver again with the next task.
    for (const u of wt.sentUpdates) if (u.stage === 'sent') u.stage = 'admitted';

    const flushed = this.flushBuffer();
    let eager: WorkflowTaskResponse | null = null;
    if (this.running) {
      const pendingUpdates = [...this.updates.values()].some((u) => u.stage === 'admitted');
      if (flushed || this.needWorkflowTask || req.forceCreateNewWorkflowTask || pendingUpdates) {
        this.needWorkflowTask = false;
        this.scheduleWorkflowTask();
        if (req.returnNewWorkflowTask && this.wt && this.sticky && this.wt.sticky) {
          eager = this.startWorkflowTask(this.wt, this.wt.queueKey);
        }
      }
    }
    this.needWorkflowTask = false;
    this.runPostTransaction();
    this.routeWaitingQueries();
    return { workflowTask: eager, activityTasks };
  }

  /**
   * The server lists the build ids of the workers that completed this run's tasks in the BuildIds search
   * attribute (`unversioned` plus `unversioned:<id>` for a worker without versioning).
   */
  private recordBuildId(req: temporal.api.workflowservice.v1.IRespondWorkflowTaskCompletedRequest): void {
    const stamp = req.workerVersionStamp;
    const buildId = stamp?.buildId || req.deploymentOptions?.buildId || req.binaryChecksum || '';
    if (!buildId || buildId === this.lastBuildId) return;
    this.lastBuildId = buildId;
    const wanted = stamp?.useVersioning
      ? [`versioned:${buildId}`]
      : ['unversioned', `unversioned:${buildId}`];
    const current = this.searchAttributes.BuildIds;
    let ids: string[] = [];
    try {
      if (current?.data?.length) ids = JSON.parse(Buffer.from(current.data).toString('utf8')) as string[];
    } catch {
      ids = [];
    }
    const missing = wanted.filter((id) => !ids.includes(id));
    if (missing.length === 0) return;
    const payload = {
      metadata: { encoding: Buffer.from('json/plain') },
      data: Buffer.from(JSON.stringify([...ids, ...missing])),
    };
    Object.assign(this.searchAttributes, this.host.typeSearchAttributes(this.ns, { BuildIds: payload }));
    this.host.changed(this);
  }

  /**
   * A command the server refuses outright (a payload over limit.blobSize.error): the workflow task fails
   * and so does the workflow, not retryable, as on the real server.
   */
  private failWorkflowForCommand(
    wt: WorkflowTask,
    cause: temporal.api.enums.v1.WorkflowTaskFailedCause,
    message: string,
    identity: string,
  ): void {
    wt.timeout?.cancel();
    this.materialize(wt);
    const failure: IFailure = { message, source: 'Server', serverFailureInfo: { nonRetryable: true } };
    const failedId = this.append(ET.EVENT_TYPE_WORKFLOW_TASK_FAILED, {
      workflowTaskFailedEventAttributes: {
        scheduledEventId: wt.scheduledEventId,
        startedEventId: wt.startedEventId,
        cause,
        failure,
        identity,
      },
    });
    this.dropStartedTask();
    this.flushBuffer();
    this.close('Failed', () =>
      this.append(ET.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED, {
        workflowExecutionFailedEventAttributes: {
          failure,
          retryState: enums.RetryState.RETRY_STATE_NON_RETRYABLE_FAILURE,
          workflowTaskCompletedEventId: failedId,
          newExecutionRunId: '',
        },
      }),
    );
  }

  private runPostTransaction(): void {
    const jobs = this.postTransaction;
    this.postTransaction = [];
    for (const j of jobs) j();
  }

  failWorkflowTask(
    wt: WorkflowTask,
    f: {
      cause: temporal.api.enums.v1.WorkflowTaskFailedCause;
      failure?: IFailure | null;
      identity: string;
      binaryChecksum?: string;
    },
    resetAttempt = false,
  ): void {
    wt.timeout?.cancel();
    if (!wt.transient) {
      this.append(ET.EVENT_TYPE_WORKFLOW_TASK_FAILED, {
        workflowTaskFailedEventAttributes: {
          scheduledEventId: wt.scheduledEventId,
          startedEventId: wt.startedEventId,
          cause: f.cause,
          failure: f.failure ?? null,
          identity: f.identity,
          binaryChecksum: f.binaryChecksum ?? '',
        },
      });
    }
    this.retryWorkflowTask(wt, resetAttempt ? 0 : wt.attempt);
  }

  private workflowTaskTimedOut(wt: WorkflowTask): void {
    if (this.wt !== wt || !this.running) return;
    if (!wt.transient) {
      this.append(ET.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT, {
        workflowTaskTimedOutEventAttributes: {
          scheduledEventId: wt.scheduledEventId,
          startedEventId: wt.startedEventId,
          timeoutType: enums.TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE,
        },
      });
    }
    this.retryWorkflowTask(wt, wt.attempt);
  }

  private retryWorkflowTask(wt: WorkflowTask, attempt: number): void {
    for (const u of wt.sentUpdates) if (u.stage === 'sent') u.stage = 'admitted';
    this.waitingQueries.push(...wt.queries);
    wt.queries = [];
    this.endWorkflowTask(wt);
    this.sticky = null;
    this.flushBuffer();
    this.needWorkflowTask = false;
    const next = attempt + 1;
    // Immediate retries first, then back off so a broken workflow does not spin.
    const backoff = next <= 3 ? 0 : Math.min(1000 * 2 ** (next - 4), 60_000);
    this.scheduleWorkflowTask(next, backoff);
    this.routeWaitingQueries();
  }

  // ---- commands --------------------------------------------------------------------------

  private validateCommands(
    commands: Command[],
  ):
    | { cause: temporal.api.enums.v1.WorkflowTaskFailedCause; message: string; failWorkflow?: boolean }
    | undefined {
    const C = enums.WorkflowTaskFailedCause;
    for (const c of commands) {
      const oversized = oversizedPayload(c, this.host.limits);
      if (oversized) {
        return {
          cause: C.WORKFLOW_TASK_FAILED_CAUSE_PAYLOADS_TOO_LARGE,
          message: oversized,
          failWorkflow: true,
        };
      }
      try {
        if (c.upsertWorkflowSearchAttributesCommandAttributes) {
          this.host.validateSearchAttributes(
            this.ns,
            c.upsertWorkflowSearchAttributesCommandAttributes.searchAttributes?.indexedFields,
          );
        }
        if (c.startChildWorkflowExecutionCommandAttributes) {
          this.host.validateSearchAttributes(
            this.ns,
            c.startChildWorkflowExecutionCommandAttributes.searchAttributes?.indexedFields,
          );
        }
        if (c.continueAsNewWorkflowExecutionCommandAttributes) {
          this.host.validateSearchAttributes(
            this.ns,
            c.continueAsNewWorkflowExecutionCommandAttributes.searchAttributes?.indexedFields,
          );
        }
      } catch (e) {
        return { cause: C.WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES, message: (e as Error).message };
      }
      const a = c.scheduleActivityTaskCommandAttributes;
      if (a) {
        if (!a.activityId || !a.activityType?.name) {
          return {
            cause: C.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES,
            message: 'ActivityId or ActivityType is not set on ScheduleActivityTaskCommand.',
          };
        }
        if (!durationMs(a.startToCloseTimeout) && !durationMs(a.scheduleToCloseTimeout)) {
          return {
            cause: C.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES,
            message:
              'A valid StartToClose or ScheduleToCloseTimeout is not set on ScheduleActivityTaskCommand.',
          };
        }
      }
    }
    return undefined;
  }

  private handleCommand(cmd: Command, completedId: number): void {
    const userMetadata = cmd.userMetadata ?? null;
    if (cmd.scheduleActivityTaskCommandAttributes) {
      this.scheduleActivity(cmd.scheduleActivityTaskCommandAttributes, completedId, userMetadata);
    } else if (cmd.requestCancelActivityTaskCommandAttributes) {
      this.requestCancelActivity(
        toInt(cmd.requestCancelActivityTaskCommandAttributes.scheduledEventId),
        completedId,
      );
    } else if (cmd.startTimerCommandAttributes) {
      this.startTimer(cmd.startTimerCommandAttributes, completedId, userMetadata);
    } else if (cmd.cancelTimerCommandAttributes) {
      this.cancelTimer(cmd.cancelTimerCommandAttributes.timerId ?? '', completedId, '');
    } else if (cmd.completeWorkflowExecutionCommandAttributes) {
      const result = cmd.completeWorkflowExecutionCommandAttributes.result ?? null;
      this.close('Completed', (next) =>
        this.append(ET.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, {
          workflowExecutionCompletedEventAttributes: {
            result,
            workflowTaskCompletedEventId: completedId,
            newExecutionRunId: next,
          },
        }),
      );
    } else if (cmd.failWorkflowExecutionCommandAttributes) {
      this.failWorkflow(cmd.failWorkflowExecutionCommandAttributes.failure ?? null, completedId);
    } else if (cmd.cancelWorkflowExecutionCommandAttributes) {
      const details = cmd.cancelWorkflowExecutionCommandAttributes.details ?? null;
      this.close('Canceled', () =>
        this.append(ET.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED, {
          workflowExecutionCanceledEventAttributes: { details, workflowTaskCompletedEventId: completedId },
        }),
      );
    } else if (cmd.continueAsNewWorkflowExecutionCommandAttributes) {
      this.continueAsNew(cmd.continueAsNewWorkflowExecutionCommandAttributes, completedId);
    } else if (cmd.recordMarkerCommandAttributes) {
      const m = cmd.recordMarkerCommandAttributes;
      this.append(ET.EVENT_TYPE_MARKER_RECORDED, {
        markerRecordedEventAttributes: {
          markerName: m.markerName ?? '',
          details: m.details ?? {},
          workflowTaskCompletedEventId: completedId,
          header: m.header ?? null,
          failure: m.failure ?? null,
        },
      });
    } else if (cmd.startChildWorkflowExecutionCommandAttributes) {
      this.startChild(cmd.startChildWorkflowExecutionCommandAttributes, completedId, userMetadata);
    } else if (cmd.requestCancelExternalWorkflowExecutionCommandAttributes) {
      const a = cmd.requestCancelExternalWorkflowExecutionCommandAttributes;
      const id = this.append(ET.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED, {
        requestCancelExternalWorkflowExecutionInitiatedEventAttributes: {
          workflowTaskCompletedEventId: completedId,
          namespace: a.namespace || this.ns.name,
          namespaceId: this.ns.id,
          workflowExecution: { workflowId: a.workflowId ?? '', runId: a.runId ?? '' },
          control: a.control ?? '',
          childWorkflowOnly: a.childWorkflowOnly ?? false,
          reason: a.reason ?? '',
        },
      });
      this.postTransaction.push(() => this.host.cancelExternal(this, id, a));
    } else if (cmd.signalExternalWorkflowExecutionCommandAttributes) {
      const a = cmd.signalExternalWorkflowExecutionCommandAttributes;
      const id = this.append(ET.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED, {
        signalExternalWorkflowExecutionInitiatedEventAttributes: {
          workflowTaskCompletedEventId: completedId,
          namespace: a.namespace || this.ns.name,
          namespaceId: this.ns.id,
          workflowExecution: a.execution ?? null,
          signalName: a.signalName ?? '',
          input: a.input ?? null,
          control: a.control ?? '',
          childWorkflowOnly: a.childWorkflowOnly ?? false,
          header: a.header ?? null,
        },
      });
      this.postTransaction.push(() => this.host.signalExternal(this, id, a));
    } else if (cmd.upsertWorkflowSearchAttributesCommandAttributes) {
      const fields = this.host.typeSearchAttributes(
        this.ns,
        cmd.upsertWorkflowSearchAttributesCommandAttributes.searchAttributes?.indexedFields,
      );
      this.append(ET.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES, {
        upsertWorkflowSearchAttributesEventAttributes: {
          workflowTaskCompletedEventId: completedId,
          searchAttributes: { indexedFields: fields },
        },
      });
      mergePayloads(this.searchAttributes, fields);
    } else if (cmd.modifyWorkflowPropertiesCommandAttributes) {
      const fields = cmd.modifyWorkflowPropertiesCommandAttributes.upsertedMemo?.fields ?? {};
      this.append(ET.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED, {
        workflowPropertiesModifiedEventAttributes: {
          workflowTaskCompletedEventId: completedId,
          upsertedMemo: { fields },
        },
      });
      mergePayloads(this.memo, fields);
    } else {
      this.host.log('warn', `unsupported command ${cmd.commandType} ignored in ${this.workflowId}`);
    }
  }

  // ---- timers ----------------------------------------------------------------------------

  private startTimer(
    a: temporal.api.command.v1.IStartTimerCommandAttributes,
    completedId: number,
    userMetadata: temporal.api.sdk.v1.IUserMetadata | null,
  ): void {
    const timerId = a.timerId ?? '';
    const ms = durationMs(a.startToFireTimeout);
    const startedEventId = this.append(ET.EVENT_TYPE_TIMER_STARTED, {
      timerStartedEventAttributes: {
        timerId,
        startToFireTimeout: a.startToFireTimeout ?? msToDuration(0),
        workflowTaskCompletedEventId: completedId,
      },
      userMetadata,
    });
    const fireAt = this.host.clock.now() + Math.max(0, ms);
    this.timers.set(timerId, {
      startedEventId,
      fireAt,
      handle: this.armTimer(timerId, startedEventId, fireAt),
    });
  }

  private armTimer(timerId: string, startedEventId: number, fireAt: number): TimerHandle {
    return this.host.clock.schedule(fireAt, () => {
      const t = this.timers.get(timerId);
      if (!t || t.startedEventId !== startedEventId) return;
      this.timers.delete(timerId);
      this.addEvents({
        k: 'event',
        type: ET.EVENT_TYPE_TIMER_FIRED,
        attrs: { timerFiredEventAttributes: { timerId, startedEventId } },
      });
    });
  }

  private cancelTimer(timerId: string, completedId: number, identity: string): void {
    const t = this.timers.get(timerId);
    if (!t) return;
    t.handle.cancel();
    this.timers.delete(timerId);
    this.append(ET.EVENT_TYPE_TIMER_CANCELED, {
      timerCanceledEventAttributes: {
        timerId,
        startedEventId: t.startedEventId,
        workflowTaskCompletedEventId: completedId,
        identity,
      },
    });
  }

  // ---- activities ------------------------------------------------------------------------

  private scheduleActivity(
    raw: temporal.api.command.v1.IScheduleActivityTaskCommandAttributes,
    completedId: number,
    userMetadata: temporal.api.sdk.v1.IUserMetadata | null,
  ): void {
    const a = normalizeActivity(raw, this.params.taskQueue, this.params.runTimeoutMs);
    const scheduledEventId = this.append(ET.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, {
      activityTaskScheduledEventAttributes: {
        activityId: a.activityId,
        activityType: { name: a.activityType },
        taskQueue: { name: a.taskQueue, kind: enums.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
        header: raw.header ?? null,
        input: raw.input ?? null,
        scheduleToCloseTimeout: msToDuration(a.scheduleToCloseMs),
        scheduleToStartTimeout: msToDuration(a.scheduleToStartMs),
        startToCloseTimeout: msToDuration(a.startToCloseMs),
        heartbeatTimeout: msToDuration(a.heartbeatMs),
        workflowTaskCompletedEventId: completedId,
        retryPolicy: a.retryPolicy,
        useWorkflowBuildId: raw.useWorkflowBuildId ?? false,
        priority: raw.priority ?? null,
      },
      userMetadata,
    });
    const act = this.trackActivity(a, scheduledEventId, raw.header ?? null, raw.input ?? null);
    // Eager only for the first attempt and only on the queue the completing worker polls (sdk-core asks
    // only then too); retries go through matching like any activity.
    if (raw.requestEagerExecution && this.eagerActivities && a.taskQueue === this.params.taskQueue) {
      this.dispatchActivity(act, true);
      this.eagerActivities.push(act);
    } else {
      this.dispatchActivity(act);
    }
  }

  /** A scheduled activity's first attempt, tracked by its scheduled event, with its schedule-to-close timer armed. */
  private trackActivity(
    a: NormalizedActivity,
    scheduledEventId: number,
    header: temporal.api.common.v1.IHeader | null,
    input: temporal.api.common.v1.IPayloads | null,
  ): ActivityState {
    const now = this.host.clock.now();
    const act: ActivityState = {
      ...a,
      header,
      input,
      scheduledEventId,
      attempt: 1,
      state: 'scheduled',
      seq: 0,
      firstScheduledTime: now,
      attemptScheduledTime: now,
      startedTime: 0,
      lastHeartbeatTime: 0,
      heartbeatDetails: null,
      cancelRequested: false,
      lastFailure: null,
      lastIdentity: '',
      busy: false,
      timers: {},
    };
    this.activities.set(scheduledEventId, act);
    if (a.scheduleToCloseMs > 0) {
      act.timers.scheduleToClose = this.host.clock.after(a.scheduleToCloseMs, () =>
        this.activityTimedOut(act, enums.TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE),
      );
    }
    return act;
  }

  /** Makes an attempt startable; `eager`: started by the caller at once, so neither queued nor timed to start. */
  private dispatchActivity(act: ActivityState, eager = false): void {
    act.state = 'scheduled';
    act.seq++;
    act.attemptScheduledTime = this.host.clock.now();
    act.retryAt = 0;
    this.host.changed(this);
    if (!act.busy) {
      act.busy = true;
      this.host.clock.busy(1);
    }
    // Eager: the caller starts it in this same turn (and so it is persisted started, like a polled one).
    if (eager) return;
    this.offerActivity(act);
  }

  /** Queue the scheduled attempt, with its schedule-to-start timeout counted from when it was scheduled. */
  private offerActivity(act: ActivityState): void {
    if (
      act.scheduleToStartMs > 0 &&
      (act.scheduleToCloseMs === 0 || act.scheduleToStartMs < act.scheduleToCloseMs)
    ) {
      act.timers.scheduleToStart = this.host.clock.schedule(
        act.attemptScheduledTime + act.scheduleToStartMs,
        () => this.activityTimedOut(act, enums.TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START),
      );
    }
    const seq = act.seq;
    this.host.activityTasks.offer(this.host.queueKey(this.ns.name, act.taskQueue), {
      deliver: () => this.startActivity(act, seq),
    });
  }

  private startActivity(act: ActivityState, seq: number): ActivityTaskResponse | null {
    if (!this.running || this.activities.get(act.scheduledEventId) !== act || act.seq !== seq) return null;
    if (act.state !== 'scheduled') return null;
    const now = this.host.clock.now();
    act.state = 'started';
    act.startedTime = now;
    this.host.changed(this);
    act.timers.scheduleToStart?.cancel();
    act.timers.scheduleToStart = undefined;
    act.timers.startToClose = this.host.clock.after(act.startToCloseMs, () =>
      this.activityTimedOut(act, enums.TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE),
    );
    this.armHeartbeatTimeout(act);
    return {
      taskToken: encodeToken({
        kind: 'activity',
        namespace: this.ns.name,
        workflowId: this.workflowId,
        runId: this.runId,
        scheduledEventId: act.scheduledEventId,
        attempt: act.attempt,
      }),
      workflowNamespace: this.ns.name,
      workflowType: { name: this.workflowType },
      workflowExecution: this.execution,
      activityType: { name: act.activityType },
      activityId: act.activityId,
      header: act.header,
      input: act.input,
      heartbeatDetails: act.heartbeatDetails,
      scheduledTime: msToTimestamp(act.firstScheduledTime),
      currentAttemptScheduledTime: msToTimestamp(act.attemptScheduledTime),
      startedTime: msToTimestamp(now),
      attempt: act.attempt,
      scheduleToCloseTimeout: msToDuration(act.scheduleToCloseMs),
      startToCloseTimeout: msToDuration(act.startToCloseMs),
      heartbeatTimeout: msToDuration(act.heartbeatMs),
      retryPolicy: act.retryPolicy,
      priority: null,
    };
  }

  private armHeartbeatTimeout(act: ActivityState): void {
    act.timers.heartbeat?.cancel();
    act.timers.heartbeat = undefined;
    if (act.heartbeatMs > 0) {
      act.timers.heartbeat = this.host.clock.after(act.heartbeatMs, () =>
        this.activityTimedOut(act, enums.TimeoutType.TIMEOUT_TYPE_HEARTBEAT),
      );
    }
  }

  /** The started activity a token (or id) names, or a NOT_FOUND error. */
  startedActivity(scheduledEventId: number, attempt: number | undefined): ActivityState {
    const act = this.activities.get(scheduledEventId);
    if (
      !this.running ||
      !act ||
      act.state !== 'started' ||
      (attempt !== undefined && act.attempt !== attempt)
    ) {
      throw activityNotFound();
    }
    return act;
  }

  activityById(activityId: string): ActivityState {
    for (const a of this.activities.values())
      if (a.activityId === activityId && a.state === 'started') return a;
    throw activityNotFound();
  }

  heartbeat(
    act: ActivityState,
    details: IPayloads | null | undefined,
    identity: string,
  ): { cancelRequested: boolean; activityPaused: boolean; activityReset: boolean } {
    act.heartbeatDetails = details ?? act.heartbeatDetails;
    act.lastHeartbeatTime = this.host.clock.now();
    act.lastIdentity = identity;
    this.armHeartbeatTimeout(act);
    this.host.changed(this);
    return {
      cancelRequested: act.cancelRequested,
      activityPaused: act.paused ?? false,
      activityReset: act.resetRequested ?? false,
    };
  }

  /** Pending activities a PauseActivity/UnpauseActivity/ResetActivity request names (by id or by type). */
  activitiesNamed(by: {
    id?: string | null;
    type?: string | null;
    matchAll?: boolean | null;
  }): ActivityState[] {
    const found = [...this.activities.values()].filter(
      (a) => by.matchAll || (by.id ? a.activityId === by.id : !!by.type && a.activityType === by.type),
    );
    if (found.length === 0) throw activityNotFound();
    return found;
  }

  /** PauseActivity: a waiting attempt is held back; a running one learns it from its next heartbeat. */
  pauseActivity(act: ActivityState): void {
    if (act.paused) return;
    act.paused = true;
    if (act.state === 'started') act.pausedWhileRunning = true;
    else this.holdActivity(act);
    this.host.changed(this);
  }

  /** UnpauseActivity: dispatched now (optionally from attempt 1, without its heartbeat details). */
  unpauseActivity(act: ActivityState, opts: { resetAttempts: boolean; resetHeartbeat: boolean }): void {
    if (!act.paused) return;
    act.paused = false;
    if (opts.resetAttempts) act.attempt = 1;
    if (opts.resetHeartbeat) act.heartbeatDetails = null;
    if (act.state !== 'started') this.dispatchActivity(act);
    this.host.changed(this);
  }

  /**
   * ResetActivity: back to attempt 1 and dispatched now if it is waiting (paused stays paused with
   * keepPaused); a running attempt learns it from its heartbeat and is retried at once when it ends
   * (held if it is paused).
   */
  resetActivity(act: ActivityState, opts: { resetHeartbeat: boolean; keepPaused: boolean }): void {
    if (opts.resetHeartbeat) act.heartbeatDetails = null;
    if (act.state === 'started') {
      // Like the server: a running attempt stays paused if it was (its heartbeat reports both).
      act.resetRequested = true;
    } else {
      if (!opts.keepPaused) act.paused = false;
      act.attempt = 1;
      act.lastFailure = null;
      if (!act.paused) this.dispatchActivity(act);
    }
    this.host.changed(this);
  }

  /** Take a waiting attempt out of dispatch (a stale queue entry is ignored by its seq). */
  private holdActivity(act: ActivityState): void {
    act.timers.backoff?.cancel();
    act.timers.scheduleToStart?.cancel();
    act.timers.backoff = act.timers.scheduleToStart = undefined;
    act.state = 'backoff';
    act.retryAt = 0;
    act.seq++;
    if (act.busy) {
      act.busy = false;
      this.host.clock.busy(-1);
    }
  }

  private finishActivity(act: ActivityState): void {
    const t = act.timers;
    t.scheduleToStart?.cancel();
    t.startToClose?.cancel();
    t.heartbeat?.cancel();
    t.scheduleToClose?.cancel();
    t.backoff?.cancel();
    act.timers = {};
    this.activities.delete(act.scheduledEventId);
    this.host.changed(this);
    if (act.busy) {
      act.busy = false;
      this.host.clock.busy(-1);
    }
  }

  /** The started event an activity's closing event brings with it (written only when it closes). */
  private startedOf(act: ActivityState): ActivityStartedInfo {
    return {
      scheduledEventId: act.scheduledEventId,
      identity: act.lastIdentity,
      attempt: act.attempt,
      lastFailure: act.lastFailure,
    };
  }

  activityCompleted(act: ActivityState, result: IPayloads | null | undefined, identity: string): void {
    act.lastIdentity = identity;
    this.finishActivity(act);
    this.addEvents({
      k: 'activity',
      started: this.startedOf(act),
      type: ET.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
      field: 'activityTaskCompletedEventAttributes',
      attrs: { result: result ?? null, scheduledEventId: act.scheduledEventId, identity },
    });
  }

  activityFailed(
    act: ActivityState,
    failure: IFailure | null | undefined,
    identity: string,
    lastHeartbeatDetails?: IPayloads | null,
  ): void {
    act.lastIdentity = identity;
    if (lastHeartbeatDetails) act.heartbeatDetails = lastHeartbeatDetails;
    const f: IFailure = failure ?? { message: 'activity failed' };
    if (act.paused || act.resetRequested) {
      // The worker gave up the attempt because of a pause or reset: wait (paused) or go again now.
      this.retryActivity(act, f, 0);
      return;
    }
    const retry = nextActivityRetry(act, f, this.host.clock.now());
    if ('delayMs' in retry) {
      this.retryActivity(act, f, retry.delayMs);
      return;
    }
    this.finishActivity(act);
    this.addEvents({
      k: 'activity',
      started: this.startedOf(act),
      type: ET.EVENT_TYPE_ACTIVITY_TASK_FAILED,
      field: 'activityTaskFailedEventAttributes',
      attrs: { failure: f, scheduledEventId: act.scheduledEventId, identity, retryState: retry.retryState },
    });
  }

  private retryActivity(act: ActivityState, failure: IFailure, delayMs: number): void {
    act.timers.startToClose?.cancel();
    act.timers.heartbeat?.cancel();
    act.timers.scheduleToStart?.cancel();
    act.timers.startToClose = act.timers.heartbeat = act.timers.scheduleToStart = undefined;
    act.lastFailure = failure;
    act.attempt++;
    act.state = 'backoff';
    act.seq++;
    if (act.busy) {
      act.busy = false;
      this.host.clock.busy(-1);
    }
    act.resetRequested = false;
    act.pausedWhileRunning = false;
    if (act.paused) {
      act.retryAt = 0;
    } else {
      this.armActivityBackoff(act, this.host.clock.now() + delayMs);
    }
    this.host.changed(this);
  }

  private armActivityBackoff(act: ActivityState, at: number): void {
    act.retryAt = at;
    act.timers.backoff = this.host.clock.schedule(at, () => {
      act.timers.backoff = undefined;
      if (this.activities.get(act.scheduledEventId) === act && this.running) this.dispatchActivity(act);
    });
  }

  activityCanceled(act: ActivityState, details: IPayloads | null | undefined, identity: string): void {
    act.lastIdentity = identity;
    if (!act.cancelRequested && act.state === 'started' && (act.pausedWhileRunning || act.resetRequested)) {
      // The worker cancelled the attempt because of a pause or reset, not because the workflow asked: it
      // counts as a failed attempt (held while paused, again at once after a reset, else by the policy).
      const failure: IFailure = {
        message: `activity ${act.resetRequested ? 'reset' : 'paused'}`,
        canceledFailureInfo: { details: details ?? null },
      };
      const retry =
        act.paused || act.resetRequested
          ? { delayMs: 0 }
          : nextActivityRetry(act, failure, this.host.clock.now());
      if ('delayMs' in retry) {
        this.retryActivity(act, failure, retry.delayMs);
        return;
      }
    }
    this.finishActivity(act);
    const started = act.state === 'started';
    this.addEvents({
      k: 'activity',
      started: started ? this.startedOf(act) : null,
      type: ET.EVENT_TYPE_ACTIVITY_TASK_CANCELED,
      field: 'activityTaskCanceledEventAttributes',
      attrs: {
        details: details ?? null,
        latestCancelRequestedEventId: act.cancelRequestedEventId ?? 0,
        scheduledEventId: act.scheduledEventId,
        identity,
      },
    });
  }

  private activityTimedOut(act: ActivityState, type: temporal.api.enums.v1.TimeoutType): void {
    if (this.activities.get(act.scheduledEventId) !== act || !this.running) return;
    const T = enums.TimeoutType;
    const failure = timeoutFailure(type, act.heartbeatDetails);
    if (type === T.TIMEOUT_TYPE_START_TO_CLOSE || type === T.TIMEOUT_TYPE_HEARTBEAT) {
      if (act.state !== 'started') return;
      const retry = nextActivityRetry(act, failure, this.host.clock.now());
      if ('delayMs' in retry) {
        this.retryActivity(act, failure, retry.delayMs);
        return;
      }
      this.recordActivityTimeout(act, failure, retry.retryState);
      return;
    }
    if (type === T.TIMEOUT_TYPE_SCHEDULE_TO_START && act.state !== 'scheduled') return;
    this.recordActivityTimeout(
      act,
      failure,
      type === T.TIMEOUT_TYPE_SCHEDULE_TO_START
        ? enums.RetryState.RETRY_STATE_NON_RETRYABLE_FAILURE
        : enums.RetryState.RETRY_STATE_TIMEOUT,
    );
  }

  private recordActivityTimeout(
    act: ActivityState,
    failure: IFailure,
    retryState: temporal.api.enums.v1.RetryState,
  ): void {
    const started = act.state === 'started';
    this.finishActivity(act);
    this.addEvents({
      k: 'activity',
      started: started ? this.startedOf(act) : null,
      type: ET.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT,
      field: 'activityTaskTimedOutEventAttributes',
      attrs: {
        failure: { ...failure, cause: act.lastFailure && !started ? act.lastFailure : null },
        scheduledEventId: act.scheduledEventId,
        retryState,
      },
    });
  }

  private requestCancelActivity(scheduledEventId: number, completedId: number): void {
    const act = this.activities.get(scheduledEventId);
    const requestedId = this.append(ET.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED, {
      activityTaskCancelRequestedEventAttributes: {
        scheduledEventId,
        workflowTaskCompletedEventId: completedId,
      },
    });
    if (!act) return;
    act.cancelRequested = true;
    act.cancelRequestedEventId = requestedId;
    if (act.state !== 'started') {
      // Nobody holds it: cancel now.
      this.activityCanceled(act, null, '');
    }
  }

  // ---- signals, cancellation, termination ------------------------------------------------

  signal(
    name: string,
    input: IPayloads | null | undefined,
    identity: string,
    header?: temporal.api.common.v1.IHeader | null,
  ): void {
    if (!this.running) throw workflowCompleted();
    this.addEvents({
      k: 'event',
      type: ET.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
      attrs: {
        workflowExecutionSignaledEventAttributes: {
          signalName: name,
          input: input ?? null,
          identity,
          header: header ?? null,
        },
      },
    });
  }

  requestCancel(
    reason: string,
    identity: string,
    external?: { initiatedEventId: number; execution: temporal.api.common.v1.IWorkflowExecution },
  ): void {
    if (!this.running) throw workflowCompleted();
    if (this.cancelRequested) return;
    this.cancelRequested = true;
    this.addEvents({
      k: 'event',
      type: ET.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED,
      attrs: {
        workflowExecutionCancelRequestedEventAttributes: {
          cause: reason,
          identity,
          externalInitiatedEventId: external?.initiatedEventId ?? 0,
          externalWorkflowExecution: external?.execution ?? null,
        },
      },
    });
  }

  terminate(reason: string, details: IPayloads | null | undefined, identity: string): void {
    if (!this.running) throw workflowCompleted();
    this.dropStartedTask();
    this.flushBuffer();
    this.close('Terminated', () =>
      this.append(ET.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED, {
        workflowExecutionTerminatedEventAttributes: { reason, details: details ?? null, identity },
      }),
    );
  }

  /** Forced close while a task is out: its result will be refused. */
  private dropStartedTask(): void {
    const wt = this.wt;
    if (wt) {
      for (const q of wt.queries) this.waitingQueries.push(q);
      wt.queries = [];
      this.endWorkflowTask(wt);
    }
  }

  private timedOut(): void {
    if (!this.running) return;
    this.dropStartedTask();
    this.flushBuffer();
    this.close('TimedOut', (next) =>
      this.append(ET.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT, {
        workflowExecutionTimedOutEventAttributes: {
          retryState: enums.RetryState.RETRY_STATE_TIMEOUT,
          newExecutionRunId: next,
        },
      }),
    );
  }

  // ---- closing ---------------------------------------------------------------------------

  /**
   * Close this run. `writeEvent` receives the next run's id ('' when none) — it must exist
   * before the close event refers to it, and the next run starts after the close is recorded.
   */
  close(status: Status, writeEvent: (nextRunId: string) => void, next?: StartParams): void {
    if (!this.running) return;
    const nextRunId = next ? randomUUID() : '';
    writeEvent(nextRunId);
    this.closeEvent = this.history[this.history.length - 1];
    this.status = status;
    this.closeTime = this.host.clock.now();
    this.nextRunId = nextRunId;
    this.runTimeout?.cancel();
    this.executionTimeout?.cancel();
    this.startBackoff?.cancel();
    for (const t of this.timers.values()) t.handle.cancel();
    this.timers.clear();
    for (const a of [...this.activities.values()]) this.finishActivity(a);
    if (this.wt) this.endWorkflowTask(this.wt);
    this.buffer = [];
    for (const u of this.updates.values()) {
      if (u.stage === 'accepted') {
        // Accepted is a promise to answer: the caller learns the update failed, not that the run is gone.
        u.outcome = { failure: acceptedUpdateCompletedWorkflow() };
        u.stage = 'completed';
        this.finishedUpdates.set(u.id, u.outcome);
      } else {
        u.aborted = workflowCompleted();
      }
      for (const l of u.listeners) l();
    }
    this.updates.clear();
    if (next) {
      this.host.startNextRun(
        this,
        { ...next, firstRunId: this.firstRunId, continuedFromRunId: this.runId },
        nextRunId,
      );
    }
    this.host.closed(this);
    this.routeWaitingQueries();
    // Wake history long-pollers waiting for the close event.
    if (this.historyWaiters.length > 0) {
      const ws = this.historyWaiters;
      this.historyWaiters = [];
      for (const w of ws) w();
    }
    if (this.closeWaiters.length > 0) {
      const ws = this.closeWaiters;
      this.closeWaiters = [];
      for (const w of ws) w();
    }
  }

  private failWorkflow(failure: IFailure | null, completedId: number): void {
    const p = this.params;
    const now = this.host.clock.now();
    const retry = p.retryPolicy ? nextWorkflowRetry(p, failure, now) : undefined;
    const retryState =
      retry === undefined
        ? enums.RetryState.RETRY_STATE_RETRY_POLICY_NOT_SET
        : 'delayMs' in retry
          ? enums.RetryState.RETRY_STATE_IN_PROGRESS
          : retry.retryState;
    const next: StartParams | undefined =
      retry && 'delayMs' in retry
        ? {
            ...p,
            attempt: p.attempt + 1,
            startDelayMs: retry.delayMs,
            initiator: enums.ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_RETRY,
            continuedFailure: failure,
            requestId: randomUUID(),
            signal: undefined,
            memo: this.memo,
            searchAttributes: this.searchAttributes,
          }
        : undefined;
    this.close(
      'Failed',
      (nextRunId) =>
        this.append(ET.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED, {
          workflowExecutionFailedEventAttributes: {
            failure,
            retryState,
            workflowTaskCompletedEventId: completedId,
            newExecutionRunId: nextRunId,
          },
        }),
      next,
    );
  }

  private continueAsNew(
    a: temporal.api.command.v1.IContinueAsNewWorkflowExecutionCommandAttributes,
    completedId: number,
  ): void {
    const p = this.params;
    const runTimeoutMs = durationMs(a.workflowRunTimeout) || p.runTimeoutMs;
    const taskTimeoutMs = durationMs(a.workflowTaskTimeout) || p.taskTimeoutMs;
    const next: StartParams = {
      ...p,
      workflowType: a.workflowType?.name || p.workflowType,
      taskQueue: a.taskQueue?.name || p.taskQueue,
      input: a.input ?? null,
      header: a.header ?? null,
      memo: a.memo?.fields ? { ...a.memo.fields } : { ...this.memo },
      searchAttributes: a.searchAttributes?.indexedFields
        ? { ...a.searchAttributes.indexedFields }
        : { ...this.searchAttributes },
      runTimeoutMs,
      taskTimeoutMs,
      retryPolicy: a.retryPolicy ?? p.retryPolicy,
      startDelayMs: durationMs(a.backoffStartInterval),
      attempt: 1,
      initiator: a.initiator || enums.ContinueAsNewInitiator.CONTINUE_AS_NEW_INITIATOR_WORKFLOW,
      lastCompletionResult: a.lastCompletionResult ?? null,
      continuedFailure: a.failure ?? null,
      requestId: randomUUID(),
      signal: undefined,
    };
    this.close(
      'ContinuedAsNew',
      (nextRunId) =>
        this.append(ET.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW, {
          workflowExecutionContinuedAsNewEventAttributes: {
            newExecutionRunId: nextRunId,
            workflowType: { name: next.workflowType },
            taskQueue: { name: next.taskQueue, kind: enums.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
            input: next.input ?? null,
            workflowRunTimeout: runTimeoutMs ? msToDuration(runTimeoutMs) : null,
            workflowTaskTimeout: msToDuration(taskTimeoutMs),
            workflowTaskCompletedEventId: completedId,
            backoffStartInterval: next.startDelayMs ? msToDuration(next.startDelayMs) : null,
            initiator: next.initiator,
            failure: a.failure ?? null,
            lastCompletionResult: a.lastCompletionResult ?? null,
            header: next.header ?? null,
            memo: { fields: next.memo ?? {} },
            searchAttributes: { indexedFields: next.searchAttributes ?? {} },
          },
        }),
      next,
    );
  }

  // ---- children --------------------------------------------------------------------------

  private startChild(
    a: temporal.api.command.v1.IStartChildWorkflowExecutionCommandAttributes,
    completedId: number,
    userMetadata: temporal.api.sdk.v1.IUserMetadata | null,
  ): void {
    const initiatedEventId = this.append(ET.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED, {
      startChildWorkflowExecutionInitiatedEventAttributes: {
        namespace: a.namespace || this.ns.name,
        namespaceId: this.ns.id,
        workflowId: a.workflowId ?? '',
        workflowType: a.workflowType ?? null,
        taskQueue: a.taskQueue ?? null,
        input: a.input ?? null,
        workflowExecutionTimeout: a.workflowExecutionTimeout ?? null,
        workflowRunTimeout: a.workflowRunTimeout ?? null,
        workflowTaskTimeout: a.workflowTaskTimeout ?? null,
        parentClosePolicy: a.parentClosePolicy ?? 0,
        control: a.control ?? '',
        workflowTaskCompletedEventId: completedId,
        workflowIdReusePolicy: a.workflowIdReusePolicy ?? 0,
        retryPolicy: a.retryPolicy ?? null,
        cronSchedule: a.cronSchedule ?? '',
        header: a.header ?? null,
        memo: a.memo ?? null,
        searchAttributes: a.searchAttributes ?? null,
        priority: a.priority ?? null,
      },
      userMetadata,
    });
    this.children.set(initiatedEventId, {
      initiatedEventId,
      startedEventId: 0,
      namespace: a.namespace || this.ns.name,
      workflowId: a.workflowId ?? '',
      runId: '',
      workflowType: a.workflowType?.name ?? '',
      parentClosePolicy: a.parentClosePolicy || enums.ParentClosePolicy.PARENT_CLOSE_POLICY_TERMINATE,
    });
    this.postTransaction.push(() => this.host.startChild(this, initiatedEventId, a, userMetadata));
  }

  childStarted(initiatedEventId: number, runId: string): void {
    const c = this.children.get(initiatedEventId);
    if (!c) return;
    c.runId = runId;
    this.addEvents({
      k: 'childStarted',
      attrs: {
        namespace: c.namespace,
        namespaceId: this.ns.id,
        initiatedEventId,
        workflowExecution: { workflowId: c.workflowId, runId },
        workflowType: { name: c.workflowType },
      },
    });
  }

  childStartFailed(initiatedEventId: number): void {
    const c = this.children.get(initiatedEventId);
    if (!c) return;
    this.children.delete(initiatedEventId);
    this.addEvents({
      k: 'event',
      type: ET.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED,
      attrs: {
        startChildWorkflowExecutionFailedEventAttributes: {
          namespace: c.namespace,
          namespaceId: this.ns.id,
          workflowId: c.workflowId,
          workflowType: { name: c.workflowType },
          cause:
            enums.StartChildWorkflowExecutionFailedCause
              .START_CHILD_WORKFLOW_EXECUTION_FAILED_CAUSE_WORKFLOW_ALREADY_EXISTS,
          initiatedEventId,
          workflowTaskCompletedEventId: 0,
        },
      },
    });
  }

  /** The last run of a child closed; `child` is that run. */
  childClosed(initiatedEventId: number, child: Execution): void {
    const c = this.children.get(initiatedEventId);
    if (!c || !this.running) return;
    this.children.delete(initiatedEventId);
    const ev = child.closeEvent;
    const common = {
      namespace: c.namespace,
      namespaceId: this.ns.id,
      workflowExecution: { workflowId: child.workflowId, runId: child.runId },
      workflowType: { name: child.workflowType },
      initiatedEventId,
      startedEventId: c.startedEventId,
    };
    const closing = ((): Omit<Extract<PendingEvents, { k: 'childClosed' }>, 'k'> | undefined => {
      switch (child.status) {
        case 'Completed':
          return {
            type: ET.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED,
            field: 'childWorkflowExecutionCompletedEventAttributes',
            attrs: { ...common, result: ev?.workflowExecutionCompletedEventAttributes?.result ?? null },
          };
        case 'Failed':
          return {
            type: ET.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED,
            field: 'childWorkflowExecutionFailedEventAttributes',
            attrs: {
              ...common,
              failure: ev?.workflowExecutionFailedEventAttributes?.failure ?? null,
              retryState: ev?.workflowExecutionFailedEventAttributes?.retryState ?? 0,
            },
          };
        case 'Canceled':
          return {
            type: ET.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED,
            field: 'childWorkflowExecutionCanceledEventAttributes',
            attrs: { ...common, details: ev?.workflowExecutionCanceledEventAttributes?.details ?? null },
          };
        case 'Terminated':
          return {
            type: ET.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED,
            field: 'childWorkflowExecutionTerminatedEventAttributes',
            attrs: common,
          };
        case 'TimedOut':
          return {
            type: ET.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT,
            field: 'childWorkflowExecutionTimedOutEventAttributes',
            attrs: { ...common, retryState: ev?.workflowExecutionTimedOutEventAttributes?.retryState ?? 0 },
          };
        default:
          return undefined;
      }
    })();
    if (closing) this.addEvents({ k: 'childClosed', ...closing });
  }

  externalSignaled(
    initiatedEventId: number,
    ok: boolean,
    a: temporal.api.command.v1.ISignalExternalWorkflowExecutionCommandAttributes,
  ): void {
    this.addEvents(
      ok
        ? {
            k: 'event',
            type: ET.EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED,
            attrs: {
              externalWorkflowExecutionSignaledEventAttributes: {
                initiatedEventId,
                namespace: a.namespace || this.ns.name,
                namespaceId: this.ns.id,
                workflowExecution: a.execution ?? null,
                control: a.control ?? '',
              },
            },
          }
        : {
            k: 'event',
            type: ET.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED,
            attrs: {
              signalExternalWorkflowExecutionFailedEventAttributes: {
                cause:
                  enums.SignalExternalWorkflowExecutionFailedCause
                    .SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND,
                workflowTaskCompletedEventId: 0,
                namespace: a.namespace || this.ns.name,
                namespaceId: this.ns.id,
                workflowExecution: a.execution ?? null,
                initiatedEventId,
                control: a.control ?? '',
              },
            },
          },
    );
  }

  externalCancelRequested(
    initiatedEventId: number,
    ok: boolean,
    a: temporal.api.command.v1.IRequestCancelExternalWorkflowExecutionCommandAttributes,
  ): void {
    const execution = { workflowId: a.workflowId ?? '', runId: a.runId ?? '' };
    this.addEvents(
      ok
        ? {
            k: 'event',
            type: ET.EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_CANCEL_REQUESTED,
            attrs: {
              externalWorkflowExecutionCancelRequestedEventAttributes: {
                initiatedEventId,
                namespace: a.namespace || this.ns.name,
                namespaceId: this.ns.id,
                workflowExecution: execution,
              },
            },
          }
        : {
            k: 'event',
            type: ET.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED,
            attrs: {
              requestCancelExternalWorkflowExecutionFailedEventAttributes: {
                cause:
                  enums.CancelExternalWorkflowExecutionFailedCause
                    .CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND,
                workflowTaskCompletedEventId: 0,
                namespace: a.namespace || this.ns.name,
                namespaceId: this.ns.id,
                workflowExecution: execution,
                initiatedEventId,
                control: a.control ?? '',
              },
            },
          },
    );
  }

  // ---- updates ---------------------------------------------------------------------------

  admitUpdate(request: temporal.api.update.v1.IRequest): UpdateState {
    if (!this.running) throw workflowCompleted();
    const id = request.meta?.updateId ?? '';
    const existing = this.updates.get(id);
    if (existing) return existing;
    const max = this.host.limits.maxInFlightUpdates;
    if (this.updates.size >= max) {
      throw resourceExhausted(`limit on number of concurrent in-flight updates has been reached (${max})`);
    }
    // An update does not wait out a start delay: the first workflow task goes now, with it.
    if (this.startBackoff) {
      this.startBackoff.cancel();
      this.startBackoff = undefined;
      this.startBackoffAt = 0;
    }
    const u: UpdateState = { id, request, stage: 'admitted', acceptedEventId: 0, listeners: new Set() };
    this.updates.set(id, u);
    this.host.changed(this);
    if (this.wt && this.wt.startedEventId > 0) this.needWorkflowTask = true;
    else this.scheduleWorkflowTask();
    return u;
  }

  private handleMessage(m: temporal.api.protocol.v1.IMessage): void {
    const type = anyTypeName(m.body);
    const value = m.body?.value ?? new Uint8Array();
    const u = this.updates.get(m.protocolInstanceId ?? '');
    if (!u) return;
    if (type === 'temporal.api.update.v1.Acceptance') {
      const acc = updv1.Acceptance.decode(value);
      u.acceptedEventId = this.append(ET.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED, {
        workflowExecutionUpdateAcceptedEventAttributes: {
          protocolInstanceId: u.id,
          acceptedRequestMessageId: acc.acceptedRequestMessageId,
          acceptedRequestSequencingEventId: acc.acceptedRequestSequencingEventId,
          acceptedRequest: acc.acceptedRequest ?? u.request,
        },
      });
      u.stage = 'accepted';
    } else if (type === 'temporal.api.update.v1.Rejection') {
      const rej = updv1.Rejection.decode(value);
      u.outcome = { failure: rej.failure ?? { message: 'rejected' } };
      u.stage = 'completed';
      this.updates.delete(u.id);
      this.finishedUpdates.set(u.id, u.outcome);
      this.host.changed(this);
    } else if (type === 'temporal.api.update.v1.Response') {
      const resp = updv1.Response.decode(value);
      u.outcome = resp.outcome ?? {};
      this.append(ET.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED, {
        workflowExecutionUpdateCompletedEventAttributes: {
          meta: resp.meta ?? { updateId: u.id },
          acceptedEventId: u.acceptedEventId,
          outcome: u.outcome,
        },
      });
      u.stage = 'completed';
      this.updates.delete(u.id);
      this.finishedUpdates.set(u.id, u.outcome);
    } else {
      return;
    }
    for (const l of u.listeners) l();
  }

  // ---- queries ---------------------------------------------------------------------------

  /** Route a query: ride on a scheduled task, wait for the started one, or go as a query task. */
  query(q: QueryWaiter): void {
    this.queries.set(q.id, q);
    const wt = this.wt;
    if (this.running && wt && wt.startedEventId === 0 && !wt.backoff) {
      wt.queries.push(q);
    } else if (this.running && wt) {
      this.waitingQueries.push(q);
    } else {
      this.dispatchQueryTask(q);
    }
  }

  private routeWaitingQueries(): void {
    if (this.waitingQueries.length === 0) return;
    const qs = this.waitingQueries;
    this.waitingQueries = [];
    for (const q of qs) if (!q.done) this.query(q);
  }

  private dispatchQueryTask(q: QueryWaiter): void {
    const useSticky = this.running && this.sticky !== null;
    const key = useSticky && this.sticky ? this.sticky.queueKey : this.normalQueueKey;
    const deliver = (): WorkflowTaskResponse | null => {
      if (q.done || q.delivered) return null;
      q.delivered = true;
      const events = useSticky ? [] : this.history.slice();
      return {
        taskToken: encodeToken({
          kind: 'query',
          namespace: this.ns.name,
          workflowId: this.workflowId,
          runId: this.runId,
          queryId: q.id,
        }),
        workflowExecution: this.execution,
        workflowType: { name: this.workflowType },
        previousStartedEventId: this.lastCompletedStartedEventId,
        startedEventId: this.lastCompletedStartedEventId,
        history: { events },
        query: q.query,
        workflowExecutionTaskQueue: {
          name: this.params.taskQueue,
          kind: enums.TaskQueueKind.TASK_QUEUE_KIND_NORMAL,
        },
        scheduledTime: msToTimestamp(this.host.clock.now()),
        startedTime: msToTimestamp(this.host.clock.now()),
      };
    };
    this.host.workflowTasks.offer(key, { deliver });
    if (useSticky && this.sticky) {
      // A sticky worker that never polls: retry on the normal queue with full history.
      const t = setTimeout(() => {
        if (!q.done && !q.delivered) {
          this.sticky = null;
          this.dispatchQueryTask(q);
        }
      }, this.sticky.scheduleToStartMs);
      t.unref();
    }
  }

  // ---- reset -----------------------------------------------------------------------------

  /**
   * ResetWorkflowExecution: this new run takes `base`'s history up to the workflow task started event
   * `upTo`, fails that task (cause RESET_WORKFLOW, naming both runs, so the worker reseeds its random
   * streams), gets the signals `base` received after it, and carries on from the state those events
   * describe: timers still pending are armed at their original time, pending activities start again
   * from attempt 1, running children report their close to this run.
   */
  startFromReset(
    base: Execution,
    upTo: number,
    reason: string,
    identity: string,
    reapplySignals: boolean,
  ): void {
    const copied = base.history.slice(0, upTo);
    for (const ev of copied) this.history.push(ev);
    this.stateTransitions += copied.length;
    const closedActivities = new Set<number>();
    const firedTimers = new Set<number>();
    const closedChildren = new Set<number>();
    for (const ev of copied) {
      const a =
        ev.activityTaskCompletedEventAttributes ??
        ev.activityTaskFailedEventAttributes ??
        ev.activityTaskTimedOutEventAttributes ??
        ev.activityTaskCanceledEventAttributes;
      if (a) closedActivities.add(toInt(a.scheduledEventId));
      const t = ev.timerFiredEventAttributes ?? ev.timerCanceledEventAttributes;
      if (t) firedTimers.add(toInt(t.startedEventId));
      const c =
        ev.childWorkflowExecutionCompletedEventAttributes ??
        ev.childWorkflowExecutionFailedEventAttributes ??
        ev.childWorkflowExecutionCanceledEventAttributes ??
        ev.childWorkflowExecutionTimedOutEventAttributes ??
        ev.childWorkflowExecutionTerminatedEventAttributes ??
        ev.startChildWorkflowExecutionFailedEventAttributes;
      if (c) closedChildren.add(toInt(c.initiatedEventId));
      if (ev.workflowTaskCompletedEventAttributes) {
        this.lastCompletedStartedEventId = toInt(ev.workflowTaskCompletedEventAttributes.startedEventId);
      }
      if (ev.workflowExecutionCancelRequestedEventAttributes) this.cancelRequested = true;
      const upsert = ev.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields;
      if (upsert) mergePayloads(this.searchAttributes, upsert);
      const memo = ev.workflowPropertiesModifiedEventAttributes?.upsertedMemo?.fields;
      if (memo) mergePayloads(this.memo, memo);
    }
    const scheduledEventId = toInt(copied[upTo - 1]?.workflowTaskStartedEventAttributes?.scheduledEventId);
    this.append(ET.EVENT_TYPE_WORKFLOW_TASK_FAILED, {
      workflowTaskFailedEventAttributes: {
        scheduledEventId,
        startedEventId: upTo,
        cause: enums.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW,
        failure: { message: reason, applicationFailureInfo: { type: 'ResetWorkflow', nonRetryable: true } },
        identity,
        baseRunId: base.runId,
        newRunId: this.runId,
      },
    });
    if (reapplySignals) {
      for (const ev of base.history.slice(upTo)) {
        const sig = ev.workflowExecutionSignaledEventAttributes;
        if (sig)
          this.append(ET.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED, {
            workflowExecutionSignaledEventAttributes: sig,
          });
      }
    }
    const now = this.host.clock.now();
    const p = this.params;
    if (p.runTimeoutMs > 0)
      this.runTimeout = this.host.clock.schedule(now + p.runTimeoutMs, () => this.timedOut());
    if (p.executionDeadline > 0)
      this.executionTimeout = this.host.clock.schedule(p.executionDeadline, () => this.timedOut());
    for (const ev of copied) {
      const id = toInt(ev.eventId);
      const timer = ev.timerStartedEventAttributes;
      if (timer && !firedTimers.has(id)) {
        const timerId = timer.timerId ?? '';
        const fireAt = timestampMs(ev.eventTime) + durationMs(timer.startToFireTimeout);
        this.timers.set(timerId, { startedEventId: id, fireAt, handle: this.armTimer(timerId, id, fireAt) });
      }
      const act = ev.activityTaskScheduledEventAttributes;
      if (act && !closedActivities.has(id)) this.restartActivity(id, act);
      const child = ev.startChildWorkflowExecutionInitiatedEventAttributes;
      if (child && !closedChildren.has(id)) {
        const at = copied.findIndex(
          (e) => toInt(e.childWorkflowExecutionStartedEventAttributes?.initiatedEventId) === id,
        );
        const started = at >= 0 ? copied[at]!.childWorkflowExecutionStartedEventAttributes : undefined;
        const kept = base.children.get(id);
        this.children.set(id, {
          initiatedEventId: id,
          startedEventId: at + 1,
          namespace: child.namespace || this.ns.name,
          workflowId: child.workflowId ?? '',
          runId: started?.workflowExecution?.runId ?? kept?.runId ?? '',
          workflowType: child.workflowType?.name ?? '',
          parentClosePolicy: child.parentClosePolicy || enums.ParentClosePolicy.PARENT_CLOSE_POLICY_TERMINATE,
        });
      }
    }
    this.host.changed(this);
    this.scheduleWorkflowTask();
  }

  /** A pending activity of a reset's base run, scheduled again from its scheduled event (attempt 1). */
  private restartActivity(
    scheduledEventId: number,
    e: temporal.api.history.v1.IActivityTaskScheduledEventAttributes,
  ): void {
    const a = normalizeActivity(
      {
        activityId: e.activityId,
        activityType: e.activityType,
        taskQueue: e.taskQueue,
        scheduleToCloseTimeout: e.scheduleToCloseTimeout,
        scheduleToStartTimeout: e.scheduleToStartTimeout,
        startToCloseTimeout: e.startToCloseTimeout,
        heartbeatTimeout: e.heartbeatTimeout,
        retryPolicy: e.retryPolicy,
      },
      this.params.taskQueue,
      this.params.runTimeoutMs,
    );
    const act = this.trackActivity(a, scheduledEventId, e.header ?? null, e.input ?? null);
    this.dispatchActivity(act);
  }

  // ---- durability ------------------------------------------------------------------------

  /** Everything of this run but its history and start parameters, as plain data (../store writes it). */
  saveState(): SavedRunState {
    const wt = this.wt;
    return {
      status: this.status,
      startTime: this.startTime,
      closeTime: this.closeTime,
      nextRunId: this.nextRunId,
      resetRunId: this.resetRunId,
      memo: this.memo,
      searchAttributes: this.searchAttributes,
      cancelRequested: this.cancelRequested,
      activities: [...this.activities.values()].map(({ timers: _timers, busy: _busy, ...a }) => a),
      timers: [...this.timers].map(([timerId, t]) => ({
        timerId,
        startedEventId: t.startedEventId,
        fireAt: t.fireAt,
      })),
      children: [...this.children.values()],
      updates: [...this.updates.values()].map((u) => ({
        id: u.id,
        request: u.request,
        stage: u.stage,
        acceptedEventId: u.acceptedEventId,
      })),
      finishedUpdates: [...this.finishedUpdates],
      signalRequestIds: [...this.signalRequestIds],
      wt: wt && {
        seq: wt.seq,
        attempt: wt.attempt,
        scheduledEventId: wt.scheduledEventId,
        startedEventId: wt.startedEventId,
        transient: wt.transient,
        historyLenAtSchedule: wt.historyLenAtSchedule,
        scheduledTime: wt.scheduledTime,
        originalScheduledTime: wt.originalScheduledTime,
        startedTime: wt.startedTime,
        backoffAt: wt.backoffAt,
      },
      lastCompletedStartedEventId: this.lastCompletedStartedEventId,
      stateTransitions: this.stateTransitions,
      buffer: this.buffer,
      needWorkflowTask: this.needWorkflowTask,
      startBackoffAt: this.startBackoffAt,
    };
  }

  /** A run as a store saved it; nothing is armed or offered until resume(). */
  static revive(
    host: Host,
    ns: Namespace,
    params: StartParams,
    runId: string,
    history: IHistoryEvent[],
    s: SavedRunState,
  ): Execution {
    const e = new Execution(host, ns, params, runId);
    for (const ev of history) e.history.push(ev);
    (e as { startTime: number }).startTime = s.startTime;
    e.status = s.status;
    e.closeTime = s.closeTime;
    e.closeEvent = s.status === 'Running' ? undefined : history[history.length - 1];
    e.nextRunId = s.nextRunId;
    e.resetRunId = s.resetRunId ?? '';
    e.memo = s.memo;
    e.searchAttributes = s.searchAttributes;
    e.cancelRequested = s.cancelRequested;
    for (const a of s.activities) e.activities.set(a.scheduledEventId, { ...a, busy: false, timers: {} });
    for (const t of s.timers) {
      e.timers.set(t.timerId, {
        startedEventId: t.startedEventId,
        fireAt: t.fireAt,
        handle: { cancel() {} },
      });
    }
    for (const c of s.children) e.children.set(c.initiatedEventId, c);
    for (const u of s.updates) e.updates.set(u.id, { ...u, listeners: new Set() });
    for (const [id, outcome] of s.finishedUpdates) e.finishedUpdates.set(id, outcome);
    for (const id of s.signalRequestIds) e.signalRequestIds.add(id);
    e.lastCompletedStartedEventId = s.lastCompletedStartedEventId;
    e.stateTransitions = s.stateTransitions;
    e.buffer = s.buffer;
    e.needWorkflowTask = s.needWorkflowTask;
    e.startBackoffAt = s.startBackoffAt;
    e.savedTask = s.wt;
    return e;
  }

  private savedTask: SavedRunState['wt'] = null;

  /**
   * After a restart: re-arm every timer and timeout at its engine time (one whose time passed while
   * the server was down fires now), and offer every pending task again. A started workflow task or
   * activity stays started, so the worker that holds it can still complete it with its token; if it
   * does not, its timeout retries it as the real server would. Sticky queues are forgotten.
   */
  resume(): void {
    const saved = this.savedTask;
    this.savedTask = null;
    if (!this.running) return;
    const p = this.params;
    const clock = this.host.clock;
    if (p.runTimeoutMs > 0) {
      this.runTimeout = clock.schedule(this.startTime + p.runTimeoutMs, () => this.timedOut());
    }
    if (
      p.executionDeadline > 0 &&
      (p.runTimeoutMs === 0 || p.executionDeadline < this.startTime + p.runTimeoutMs)
    ) {
      this.executionTimeout = clock.schedule(p.executionDeadline, () => this.timedOut());
    }
    if (this.startBackoffAt > 0) this.armStartBackoff(this.startBackoffAt);
    for (const [timerId, t] of this.timers) t.handle = this.armTimer(timerId, t.startedEventId, t.fireAt);
    for (const act of this.activities.values()) this.resumeActivity(act);
    if (saved) this.resumeWorkflowTask(saved);
    else for (const u of this.updates.values()) if (u.stage === 'sent') u.stage = 'admitted';
  }

  private resumeActivity(act: ActivityState): void {
    const clock = this.host.clock;
    const T = enums.TimeoutType;
    if (act.scheduleToCloseMs > 0) {
      act.timers.scheduleToClose = clock.schedule(act.firstScheduledTime + act.scheduleToCloseMs, () =>
        this.activityTimedOut(act, T.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE),
      );
    }
    if (act.state === 'backoff') {
      if (!act.paused) this.armActivityBackoff(act, act.retryAt ?? clock.now());
      return;
    }
    act.busy = true;
    clock.busy(1);
    if (act.state === 'started') {
      act.timers.startToClose = clock.schedule(act.startedTime + act.startToCloseMs, () =>
        this.activityTimedOut(act, T.TIMEOUT_TYPE_START_TO_CLOSE),
      );
      if (act.heartbeatMs > 0) {
        const last = Math.max(act.startedTime, act.lastHeartbeatTime);
        act.timers.heartbeat = clock.schedule(last + act.heartbeatMs, () =>
          this.activityTimedOut(act, T.TIMEOUT_TYPE_HEARTBEAT),
        );
      }
      return;
    }
    act.seq++;
    this.offerActivity(act);
  }

  private resumeWorkflowTask(saved: NonNullable<SavedRunState['wt']>): void {
    const wt: WorkflowTask = {
      ...saved,
      queueKey: this.normalQueueKey,
      sticky: false,
      queries: [],
      sentUpdates: [],
    };
    this.wt = wt;
    this.host.clock.busy(1);
    if (wt.startedEventId > 0) {
      for (const u of this.updates.values()) if (u.stage === 'sent') wt.sentUpdates.push(u);
      wt.timeout = this.host.clock.schedule(wt.startedTime + this.params.taskTimeoutMs, () =>
        this.workflowTaskTimedOut(wt),
      );
      return;
    }
    for (const u of this.updates.values()) if (u.stage === 'sent') u.stage = 'admitted';
    if (wt.backoffAt > 0) this.armWorkflowTaskBackoff(wt, wt.backoffAt);
    else this.dispatchWorkflowTask(wt);
  }

  // ---- views -----------------------------------------------------------------------------

  visibility(): VisibilityRecord {
    return {
      workflowId: this.workflowId,
      runId: this.runId,
      workflowType: this.workflowType,
      taskQueue: this.params.taskQueue,
      status: this.status,
      startTime: new Date(this.startTime),
      closeTime: this.closeTime ? new Date(this.closeTime) : undefined,
      executionTime: new Date(this.executionTime),
      searchAttributes: decodeSearchAttributes(this.searchAttributes),
    };
  }

  executionInfo(): Loose<temporal.api.workflow.v1.IWorkflowExecutionInfo> {
    const p = this.params;
    return {
      execution: this.execution,
      type: { name: this.workflowType },
      startTime: msToTimestamp(this.startTime),
      closeTime: this.closeTime ? msToTimestamp(this.closeTime) : null,
      status: STATUS_ENUM[this.status],
      historyLength: this.history.length,
      parentNamespaceId: p.parent?.namespaceId ?? '',
      parentExecution: p.parent ? { workflowId: p.parent.workflowId, runId: p.parent.runId } : null,
      executionTime: msToTimestamp(this.executionTime),
      memo: { fields: this.memo },
      searchAttributes: { indexedFields: this.searchAttributes },
      taskQueue: p.taskQueue,
      stateTransitionCount: this.stateTransitions,
      historySizeBytes: this.historySizeBytes(),
      executionDuration: this.closeTime ? msToDuration(this.closeTime - this.executionTime) : null,
      firstRunId: this.firstRunId,
      rootExecution: p.root ?? this.execution,
    };
  }
}

/** Adds a waiter to a list; returns what takes it off again. */
function waitIn(waiters: (() => void)[], cb: () => void): () => void {
  waiters.push(cb);
  return () => {
    const i = waiters.indexOf(cb);
    if (i >= 0) waiters.splice(i, 1);
  };
}

/** A run's state apart from its history and start parameters (see Execution.saveState). */
export interface SavedRunState {
  status: Status;
  startTime: number;
  closeTime: number;
  nextRunId: string;
  /** Absent in state saved before resets existed. */
  resetRunId?: string;
  memo: Record<string, IPayload>;
  searchAttributes: Record<string, IPayload>;
  cancelRequested: boolean;
  activities: Omit<ActivityState, 'timers' | 'busy'>[];
  timers: { timerId: string; startedEventId: number; fireAt: number }[];
  children: ChildState[];
  updates: Omit<UpdateState, 'listeners' | 'outcome' | 'aborted'>[];
  finishedUpdates: [string, temporal.api.update.v1.IOutcome][];
  signalRequestIds: string[];
  wt: Omit<
    WorkflowTask,
    'queueKey' | 'sticky' | 'queries' | 'sentUpdates' | 'timeout' | 'backoff' | 'stickyTimer'
  > | null;
  lastCompletedStartedEventId: number;
  stateTransitions: number;
  buffer: PendingEvents[];
  needWorkflowTask: boolean;
  startBackoffAt: number;
}

// ---- helpers -------------------------------------------------------------------------------

const S = enums.WorkflowExecutionStatus;
export const STATUS_ENUM: Record<Status, temporal.api.enums.v1.WorkflowExecutionStatus> = {
  Running: S.WORKFLOW_EXECUTION_STATUS_RUNNING,
  Completed: S.WORKFLOW_EXECUTION_STATUS_COMPLETED,
  Failed: S.WORKFLOW_EXECUTION_STATUS_FAILED,
  Canceled: S.WORKFLOW_EXECUTION_STATUS_CANCELED,
  Terminated: S.WORKFLOW_EXECUTION_STATUS_TERMINATED,
  ContinuedAsNew: S.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW,
  TimedOut: S.WORKFLOW_EXECUTION_STATUS_TIMED_OUT,
};

/** The server's message for the first payload of a command over limit.blobSize.error, if any. */
function oversizedPayload(c: Command, limits: Limits): string | undefined {
  const checks: [IPayloads | null | undefined, string][] = [
    [c.scheduleActivityTaskCommandAttributes?.input, 'ScheduleActivityTaskCommandAttributes.Input'],
    [
      c.completeWorkflowExecutionCommandAttributes?.result,
      'CompleteWorkflowExecutionCommandAttributes.Result',
    ],
    [
      c.continueAsNewWorkflowExecutionCommandAttributes?.input,
      'ContinueAsNewWorkflowExecutionCommandAttributes.Input',
    ],
    [
      c.startChildWorkflowExecutionCommandAttributes?.input,
      'StartChildWorkflowExecutionCommandAttributes.Input',
    ],
    [
      c.signalExternalWorkflowExecutionCommandAttributes?.input,
      'SignalExternalWorkflowExecutionCommandAttributes.Input',
    ],
  ];
  for (const [payloads, field] of checks) {
    if (payloads && blobTooLarge(limits, tproto.api.common.v1.Payloads.encode(payloads).finish().length)) {
      return `${field} exceeds size limit.`;
    }
  }
  return undefined;
}

function isClosingCommand(c: Command): boolean {
  return !!(
    c.completeWorkflowExecutionCommandAttributes ||
    c.failWorkflowExecutionCommandAttributes ||
    c.cancelWorkflowExecutionCommandAttributes ||
    c.continueAsNewWorkflowExecutionCommandAttributes
  );
}

function toInt(v: number | { toNumber(): number } | null | undefined): number {
  if (v == null) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

/** Upsert semantics: a payload with empty data removes the key. */
function mergePayloads(target: Record<string, IPayload>, fields: Record<string, IPayload>): void {
  for (const [k, v] of Object.entries(fields)) {
    if (!v.data || v.data.length === 0 || Buffer.from(v.data).toString() === 'null') delete target[k];
    else target[k] = v;
  }
}

export function decodeSearchAttributes(fields: Record<string, IPayload>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    try {
      out[k] = JSON.parse(Buffer.from(v.data ?? new Uint8Array()).toString('utf8'));
    } catch {
      out[k] = undefined;
    }
  }
  return out;
}

function answerQuery(q: QueryWaiter, r: temporal.api.query.v1.IWorkflowQueryResult): void {
  if (q.done) return;
  if (r.resultType === enums.QueryResultType.QUERY_RESULT_TYPE_ANSWERED) {
    q.resolve({ result: r.answer ?? null });
  } else {
    q.resolve({ error: { message: r.errorMessage ?? 'query failed', failure: r.failure ?? null } });
  }
}

export { answerQuery };

// The real server answers NOT_FOUND for stale task tokens.
/** The outcome the server gives an accepted update whose run closed before it completed. */
function acceptedUpdateCompletedWorkflow(): IFailure {
  return {
    message: 'Workflow Update failed because the Workflow completed before the Update completed.',
    source: 'Server',
    applicationFailureInfo: { type: 'AcceptedUpdateCompletedWorkflow', nonRetryable: true },
  };
}

function workflowTaskNotFound(): Error {
  return notFound('Workflow task not found.');
}

function activityNotFound(): Error {
  return notFound('invalid activityID or activity already timed out or invoking workflow is completed');
}

export function nextWorkflowRetry(
  p: StartParams,
  failure: IFailure | null,
  now: number,
): { delayMs: number } | { retryState: temporal.api.enums.v1.RetryState } {
  const rp = p.retryPolicy ?? {};
  const max = rp.maximumAttempts ?? 0;
  // Non-retryable first, as the server checks: it is the reason even on the last allowed attempt.
  const info = failure?.applicationFailureInfo;
  if (info?.nonRetryable || (info?.type && (rp.nonRetryableErrorTypes ?? []).includes(info.type))) {
    return { retryState: enums.RetryState.RETRY_STATE_NON_RETRYABLE_FAILURE };
  }
  if (max > 0 && p.attempt >= max)
    return { retryState: enums.RetryState.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED };
  const initial = durationMs(rp.initialInterval) || 1000;
  const coef = rp.backoffCoefficient || 2;
  const maxInterval = durationMs(rp.maximumInterval) || initial * 100;
  const delayMs =
    durationMs(info?.nextRetryDelay) || Math.min(initial * coef ** (p.attempt - 1), maxInterval);
  if (p.executionDeadline > 0 && now + delayMs >= p.executionDeadline) {
    return { retryState: enums.RetryState.RETRY_STATE_TIMEOUT };
  }
  return { delayMs };
}
