/**
 * The engine: namespaces, executions by id, task queues and the clock, and the cross-execution
 * work (children, external signals and cancels, visibility). RPC handlers live in ../service.ts.
 */
import { randomUUID } from 'node:crypto';
import { alreadyStarted, invalidArgument, workflowNotFound } from '../errors';
import { durationMs, enums, type IHistoryEvent, type IPayload, type temporal } from '../proto';
import { Clock } from './clock';
import { Execution, type Host, type SavedRunState } from './execution';
import { DEFAULT_LIMITS, type Limits } from './limits';
import { Matching } from './matching';
import { INDEXED_VALUE_TYPE_NAMES, type IndexedValueType, type Namespace, Namespaces } from './namespaces';
import type { ActivityTaskResponse, StartParams, WorkflowTaskResponse } from './types';

export type LogFn = (level: 'debug' | 'info' | 'warn' | 'error', msg: string) => void;

/**
 * Where the engine reports what changed, so a durable store (../store) can write it before the RPC
 * answers. In-memory mode has none. Every change to a run goes through `changed`.
 */
export interface Persistence {
  changed(exec: Execution): void;
  /** The run is gone (DeleteWorkflowExecution, retention). */
  removed(exec: Execution): void;
  /** A namespace was registered or changed (search attributes included). */
  namespacesChanged(): void;
  partChanged(name: string): void;
  /** Time skipping moved the clock. */
  clockChanged(): void;
}

/** One run as a store gives it back on start. */
export interface SavedRun {
  namespace: string;
  runId: string;
  params: StartParams;
  history: IHistoryEvent[];
  state: SavedRunState;
}

const DEFAULT_TASK_TIMEOUT_MS = 10_000;
const MAX_TASK_TIMEOUT_MS = 120_000;
/** Closed runs are also swept on every close; this catches an idle server. */
const RETENTION_SWEEP_MS = 60_000;

export class Engine implements Host {
  readonly clock: Clock;
  readonly workflowTasks = new Matching<WorkflowTaskResponse>();
  readonly activityTasks = new Matching<ActivityTaskResponse>();
  readonly namespaces: Namespaces;
  /** namespace \0 workflowId → runs, oldest first; the last one is current. */
  private readonly chains = new Map<string, Execution[]>();
  private readonly byRun = new Map<string, Execution>();
  /** Every run per namespace, in start order, for visibility. */
  readonly runs = new Map<string, Set<Execution>>();
  /** Closed runs per namespace in close order, removed after the namespace's retention (dev mode only). */
  private readonly closedRuns = new Map<string, Execution[]>();
  private readonly retentionSweep: NodeJS.Timeout | undefined;
  /** Told about every closed run (schedules watch the workflows they started). */
  readonly closeListeners = new Set<(exec: Execution) => void>();
  persistence: Persistence | undefined;
  readonly limits: Limits;
  /** Resets by namespace, workflow id and request id, so a retried reset answers the same run. */
  private readonly resets = new Map<string, Execution>();
  /** Other state a durable store keeps (Schedules): see PersistedPart in ../store. */
  readonly parts = new Map<string, { snapshot(): unknown; restore(state: unknown): void }>();

  constructor(
    opts: {
      timeSkipping: boolean;
      timeSkippingUnlocked?: boolean;
      searchAttributes: Record<string, IndexedValueType>;
      limits?: Limits;
    },
    readonly log: LogFn,
  ) {
    this.limits = opts.limits ?? DEFAULT_LIMITS;
    this.clock = new Clock(opts.timeSkipping);
    if (opts.timeSkipping && opts.timeSkippingUnlocked) this.clock.unlock();
    this.namespaces = new Namespaces(opts.searchAttributes);
    this.clock.onSkip = () => this.persistence?.clockChanged();
    // Like the Java test server, time-skipping mode keeps every run: a skipped day must not delete them.
    if (!opts.timeSkipping) {
      this.retentionSweep = setInterval(() => this.removeExpired(), RETENTION_SWEEP_MS);
      this.retentionSweep.unref();
    }
  }

  queueKey(namespace: string, queue: string): string {
    return `${namespace}\u0000${queue}`;
  }

  // ---- lookup ----------------------------------------------------------------------------

  current(ns: Namespace, workflowId: string): Execution | undefined {
    const chain = this.chains.get(`${ns.name}\u0000${workflowId}`);
    return chain?.[chain.length - 1];
  }

  /** The run named, or the current run when runId is empty; NOT_FOUND otherwise. */
  find(ns: Namespace, execution: temporal.api.common.v1.IWorkflowExecution | null | undefined): Execution {
    const workflowId = execution?.workflowId ?? '';
    if (!workflowId) throw invalidArgument('WorkflowId is not set on request.');
    const runId = execution?.runId ?? '';
    const exec = runId ? this.byRun.get(`${ns.name}\u0000${runId}`) : this.current(ns, workflowId);
    if (!exec || exec.workflowId !== workflowId) throw workflowNotFound(workflowId);
    return exec;
  }

  /** Every run of a workflow id still kept, oldest first. */
  chain(ns: Namespace, workflowId: string): Execution[] {
    return [...(this.chains.get(`${ns.name}\u0000${workflowId}`) ?? [])];
  }

  findByRun(ns: Namespace, workflowId: string, runId: string): Execution {
    const exec = this.byRun.get(`${ns.name}\u0000${runId}`);
    if (!exec || exec.workflowId !== workflowId) throw workflowNotFound(workflowId);
    return exec;
  }

  // ---- start -----------------------------------------------------------------------------

  /** Normalise timeouts the way the server does before anything is written. */
  timeouts(
    executionTimeoutMs: number,
    runTimeoutMs: number,
    taskTimeoutMs: number,
  ): { executionTimeoutMs: number; runTimeoutMs: number; taskTimeoutMs: number } {
    let run = runTimeoutMs;
    if (executionTimeoutMs > 0 && (run === 0 || run > executionTimeoutMs)) run = executionTimeoutMs;
    let task = taskTimeoutMs || DEFAULT_TASK_TIMEOUT_MS;
    task = Math.min(task, MAX_TASK_TIMEOUT_MS);
    if (run > 0) task = Math.min(task, run);
    return { executionTimeoutMs, runTimeoutMs: run, taskTimeoutMs: task };
  }

  /**
   * Start a new chain (client start, signal-with-start, child). Applies the id reuse and
   * conflict policies. Returns the run and whether it was newly started.
   */
  startWorkflow(
    ns: Namespace,
    params: StartParams,
    policy: {
      reuse: temporal.api.enums.v1.WorkflowIdReusePolicy;
      conflict: temporal.api.enums.v1.WorkflowIdConflictPolicy;
    },
    eager = false,
  ): { exec: Execution; started: boolean; eagerWorkflowTask?: WorkflowTaskResponse | null } {
    const R = enums.WorkflowIdReusePolicy;
    const C = enums.WorkflowIdConflictPolicy;
    const prev = this.current(ns, params.workflowId);
    if (prev) {
      // A retried start (its answer lost, e.g. to a server restart) finds the chain it started even
      // after that continued as new.
      if (params.requestId && this.startedBy(ns, params.workflowId, params.requestId))
        return { exec: prev, started: false };
      if (prev.running) {
        const conflict =
          policy.reuse === R.WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING
            ? C.WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING
            : policy.conflict;
        if (conflict === C.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING) return { exec: prev, started: false };
        if (conflict === C.WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING) {
          prev.terminate('terminated by new workflow start (TerminateExisting)', null, params.identity);
        } else {
          throw alreadyStarted(params.workflowId, prev.runId, prev.params.requestId);
        }
      } else if (policy.reuse === R.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE) {
        throw alreadyStarted(params.workflowId, prev.runId, prev.params.requestId);
      } else if (
        policy.reuse === R.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY &&
        prev.status === 'Completed'
      ) {
        throw alreadyStarted(params.workflowId, prev.runId, prev.params.requestId);
      }
    }
    const { exec, eagerWorkflowTask } = this.createRun(ns, params, undefined, eager);
    return { exec, started: true, eagerWorkflowTask };
  }

  /** Whether the current chain of this workflow id was started by this request. */
  private startedBy(ns: Namespace, workflowId: string, requestId: string): boolean {
    const chain = this.chains.get(`${ns.name}\u0000${workflowId}`) ?? [];
    for (let i = chain.length - 1; i >= 0; i--) {
      const run = chain[i]!;
      if (run.params.requestId === requestId) return true;
      if (run.firstRunId === run.runId) return false;
    }
    return false;
  }

  /** `eager`: the first workflow task comes back started (eager workflow start, see Execution.start). */
  private createRun(
    ns: Namespace,
    params: StartParams,
    runId?: string,
    eager = false,
  ): { exec: Execution; eagerWorkflowTask: WorkflowTaskResponse | null } {
    const typed = { ...params, searchAttributes: this.typeSearchAttributes(ns, params.searchAttributes) };
    const exec = new Execution(this, ns, typed, runId);
    this.add(exec);
    const eagerWorkflowTask = exec.start(eager);
    return { exec, eagerWorkflowTask };
  }

  private add(exec: Execution): void {
    const ns = exec.ns;
    const params = exec.params;
    const key = `${ns.name}\u0000${params.workflowId}`;
    let chain = this.chains.get(key);
    if (!chain) {
      chain = [];
      this.chains.set(key, chain);
    }
    chain.push(exec);
    this.byRun.set(`${ns.name}\u0000${exec.runId}`, exec);
    let all = this.runs.get(ns.name);
    if (!all) {
      all = new Set();
      this.runs.set(ns.name, all);
    }
    all.add(exec);
  }

  /** Bring back the runs a store saved (in start order), then arm their timers and offer their tasks. */
  restore(saved: Iterable<SavedRun>): void {
    const revived: Execution[] = [];
    for (const r of saved) {
      const ns = this.namespaces.find(r.namespace);
      if (!ns) {
        this.log('warn', `saved run ${r.runId} of unknown namespace ${r.namespace} dropped`);
        continue;
      }
      const exec = Execution.revive(this, ns, r.params, r.runId, r.history, r.state);
      this.add(exec);
      revived.push(exec);
      if (!exec.running && this.retentionSweep) {
        let closed = this.closedRuns.get(ns.name);
        if (!closed) {
          closed = [];
          this.closedRuns.set(ns.name, closed);
        }
        closed.push(exec);
      }
    }
    for (const closed of this.closedRuns.values()) closed.sort((a, b) => a.closeTime - b.closeTime);
    for (const exec of revived) exec.resume();
    this.removeExpired();
  }

  changed(exec: Execution): void {
    this.persistence?.changed(exec);
  }

  namespacesChanged(): void {
    this.persistence?.namespacesChanged();
  }

  /** A part in `parts` changed: the store writes its snapshot() with the next commit. */
  partChanged(name: string): void {
    this.persistence?.partChanged(name);
  }

  /**
   * ResetWorkflowExecution from `base` at the workflow task started event `upTo`: the chain's running run
   * is terminated (its children left alone, they report to the new run) and a new run continues the chain.
   */
  resetWorkflow(
    base: Execution,
    upTo: number,
    opts: { reason: string; identity: string; requestId: string; reapplySignals: boolean },
  ): Execution {
    const ns = base.ns;
    const key = `${ns.name}\u0000${base.workflowId}\u0000${opts.requestId}`;
    const again = opts.requestId ? this.resets.get(key) : undefined;
    if (again) return again;
    const exec = new Execution(
      this,
      ns,
      {
        ...base.params,
        firstRunId: base.firstRunId,
        requestId: randomUUID(),
        signal: undefined,
        startDelayMs: 0,
      },
      undefined,
    );
    const current = this.current(ns, base.workflowId);
    base.resetRunId = exec.runId;
    if (current?.running) {
      current.resetRunId = exec.runId;
      current.terminate(`resetting workflow: ${opts.reason}`, null, opts.identity);
    }
    this.add(exec);
    exec.startFromReset(base, upTo, opts.reason, opts.identity, opts.reapplySignals);
    if (opts.requestId) this.resets.set(key, exec);
    return exec;
  }

  startNextRun(prev: Execution, params: StartParams, runId: string): void {
    this.createRun(prev.ns, params, runId);
  }

  validateSearchAttributes(ns: Namespace, attrs: Record<string, IPayload> | null | undefined): void {
    for (const name of Object.keys(attrs ?? {})) {
      if (!this.namespaces.settable(ns, name)) {
        throw invalidArgument(`Namespace ${ns.name} has no mapping defined for search attribute ${name}`);
      }
    }
  }

  /**
   * The payloads as the server keeps them: each carries its registered type in `metadata.type`, so
   * clients that decode untyped search attributes (Describe, history) get a Datetime back as a date.
   */
  typeSearchAttributes(
    ns: Namespace,
    attrs: Record<string, IPayload> | null | undefined,
  ): Record<string, IPayload> {
    const out: Record<string, IPayload> = {};
    for (const [name, payload] of Object.entries(attrs ?? {})) {
      const type = this.namespaces.searchAttributeType(ns, name);
      const typeName = type === undefined ? undefined : INDEXED_VALUE_TYPE_NAMES[type];
      out[name] = typeName
        ? { ...payload, metadata: { ...(payload.metadata ?? {}), type: Buffer.from(typeName) } }
        : payload;
    }
    return out;
  }

  // ---- cross-execution work --------------------------------------------------------------

  startChild(
    parent: Execution,
    initiatedEventId: number,
    a: temporal.api.command.v1.IStartChildWorkflowExecutionCommandAttributes,
    userMetadata?: temporal.api.sdk.v1.IUserMetadata | null,
  ): void {
    const ns = this.namespaces.find(a.namespace || parent.ns.name) ?? parent.ns;
    const t = this.timeouts(
      durationMs(a.workflowExecutionTimeout),
      durationMs(a.workflowRunTimeout),
      durationMs(a.workflowTaskTimeout),
    );
    const now = this.clock.now();
    try {
      const { exec, started } = this.startWorkflow(
        ns,
        {
          workflowId: a.workflowId ?? '',
          workflowType: a.workflowType?.name ?? '',
          taskQueue: a.taskQueue?.name || parent.params.taskQueue,
          input: a.input ?? null,
          header: a.header ?? null,
          memo: a.memo?.fields ?? {},
          searchAttributes: a.searchAttributes?.indexedFields ?? {},
          ...t,
          retryPolicy: a.retryPolicy ?? null,
          cronSchedule: a.cronSchedule ?? '',
          identity: '',
          requestId: randomUUID(),
          startDelayMs: 0,
          attempt: 1,
          parent: {
            namespace: parent.ns.name,
            namespaceId: parent.ns.id,
            workflowId: parent.workflowId,
            runId: parent.runId,
            initiatedEventId,
          },
          root: parent.params.root ?? { workflowId: parent.workflowId, runId: parent.runId },
          userMetadata: userMetadata ?? null,
          executionDeadline: t.executionTimeoutMs ? now + t.executionTimeoutMs : 0,
          priority: a.priority ?? null,
        },
        {
          reuse:
            a.workflowIdReusePolicy || enums.WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
          conflict: enums.WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
        },
      );
      if (!started) throw new Error('already running');
      parent.childStarted(initiatedEventId, exec.runId);
    } catch {
      parent.childStartFailed(initiatedEventId);
    }
  }

  signalExternal(
    source: Execution,
    initiatedEventId: number,
    a: temporal.api.command.v1.ISignalExternalWorkflowExecutionCommandAttributes,
  ): void {
    let ok = false;
    try {
      const ns = this.namespaces.get(a.namespace || source.ns.name);
      const target = this.find(ns, a.execution);
      if (target.running) {
        target.signal(a.signalName ?? '', a.input, '', a.header);
        ok = true;
      }
    } catch {
      ok = false;
    }
    source.externalSignaled(initiatedEventId, ok, a);
  }

  cancelExternal(
    source: Execution,
    initiatedEventId: number,
    a: temporal.api.command.v1.IRequestCancelExternalWorkflowExecutionCommandAttributes,
  ): void {
    let ok = false;
    try {
      const ns = this.namespaces.get(a.namespace || source.ns.name);
      const target = this.find(ns, { workflowId: a.workflowId, runId: a.runId });
      if (target.running) {
        target.requestCancel(a.reason ?? '', '', { initiatedEventId, execution: source.execution });
        ok = true;
      }
    } catch {
      ok = false;
    }
    source.externalCancelRequested(initiatedEventId, ok, a);
  }

  /** Forget a run (DeleteWorkflowExecution, retention): it answers NOT_FOUND and leaves visibility. */
  remove(exec: Execution): void {
    const key = `${exec.ns.name}\u0000${exec.workflowId}`;
    const chain = this.chains.get(key);
    const i = chain?.indexOf(exec) ?? -1;
    if (chain && i >= 0) {
      chain.splice(i, 1);
      if (chain.length === 0) this.chains.delete(key);
    }
    this.byRun.delete(`${exec.ns.name}\u0000${exec.runId}`);
    this.runs.get(exec.ns.name)?.delete(exec);
    this.persistence?.removed(exec);
  }

  /** Remove closed runs older than their namespace's retention, like the real server's retention timer. */
  removeExpired(): void {
    const now = this.clock.now();
    for (const [name, closed] of this.closedRuns) {
      const ns = this.namespaces.find(name);
      if (!ns) continue;
      const retentionMs = durationMs(ns.retention);
      if (retentionMs <= 0) continue;
      let n = 0;
      while (n < closed.length && closed[n]!.closeTime + retentionMs <= now) this.remove(closed[n++]!);
      if (n > 0) closed.splice(0, n);
    }
  }

  /** A run closed: tell its parent (when the chain ends here) and apply its parent close policy. */
  closed(exec: Execution): void {
    if (this.retentionSweep) {
      let closed = this.closedRuns.get(exec.ns.name);
      if (!closed) {
        closed = [];
        this.closedRuns.set(exec.ns.name, closed);
      }
      closed.push(exec);
      this.removeExpired();
    }
    for (const listener of this.closeListeners) listener(exec);
    const parent = exec.params.parent;
    if (parent && !exec.nextRunId) {
      const ns = this.namespaces.find(parent.namespace);
      let p = ns && this.byRun.get(`${ns.name}\u0000${parent.runId}`);
      // A reset parent: the run the reset started took the child over.
      while (ns && p && !p.running && p.resetRunId) p = this.byRun.get(`${ns.name}\u0000${p.resetRunId}`);
      if (p?.running) p.childClosed(parent.initiatedEventId, exec);
    }
    // A run terminated by a reset hands its children to the new run rather than closing them.
    if (exec.children.size > 0 && !exec.resetRunId) {
      const P = enums.ParentClosePolicy;
      for (const c of exec.children.values()) {
        if (c.parentClosePolicy === P.PARENT_CLOSE_POLICY_ABANDON || !c.runId) continue;
        const ns = this.namespaces.find(c.namespace);
        if (!ns) continue;
        const child = this.current(ns, c.workflowId);
        if (!child?.running || child.firstRunId !== this.firstRunOf(ns, c.runId)) continue;
        try {
          if (c.parentClosePolicy === P.PARENT_CLOSE_POLICY_REQUEST_CANCEL) {
            child.requestCancel('by parent close policy', '');
          } else {
            child.terminate('by parent close policy', null, '');
          }
        } catch (e) {
          this.log('warn', `parent close policy on ${c.workflowId}: ${(e as Error).message}`);
        }
      }
    }
  }

  private firstRunOf(ns: Namespace, runId: string): string {
    return this.byRun.get(`${ns.name}\u0000${runId}`)?.firstRunId ?? '';
  }

  /** Move every task queued on a sticky queue back to the executions' normal queues. */
  dropStickyQueue(namespace: string, stickyQueue: string): void {
    const key = this.queueKey(namespace, stickyQueue);
    this.workflowTasks.release(key);
    this.workflowTasks.takeAll(key);
    for (const exec of this.runs.get(namespace) ?? []) {
      if (exec.running && exec.sticky?.queueKey === key) exec.resetSticky();
    }
  }

  stop(): void {
    clearInterval(this.retentionSweep);
    this.clock.stop();
    this.workflowTasks.release();
    this.activityTasks.release();
  }
}
