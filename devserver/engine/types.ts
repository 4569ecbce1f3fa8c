/** Shapes shared by the engine's parts. */
import type { IFailure, IPayload, IPayloads, Loose, temporal } from '../proto';
import type { VisibilityStatus } from '../visibility-record';

export type Status = VisibilityStatus;

export type WorkflowTaskResponse = Loose<temporal.api.workflowservice.v1.IPollWorkflowTaskQueueResponse>;
export type ActivityTaskResponse = Loose<temporal.api.workflowservice.v1.IPollActivityTaskQueueResponse>;

export interface ParentInfo {
  namespace: string;
  namespaceId: string;
  workflowId: string;
  runId: string;
  initiatedEventId: number;
}

/** Everything needed to start one run (first run, retry, cron, continue-as-new, child). */
export interface StartParams {
  workflowId: string;
  workflowType: string;
  taskQueue: string;
  input?: IPayloads | null;
  header?: temporal.api.common.v1.IHeader | null;
  memo?: Record<string, IPayload>;
  searchAttributes?: Record<string, IPayload>;
  executionTimeoutMs: number;
  runTimeoutMs: number;
  taskTimeoutMs: number;
  retryPolicy?: temporal.api.common.v1.IRetryPolicy | null;
  cronSchedule?: string;
  identity: string;
  requestId: string;
  startDelayMs: number;
  attempt: number;
  firstRunId?: string;
  continuedFromRunId?: string;
  initiator?: temporal.api.enums.v1.ContinueAsNewInitiator;
  lastCompletionResult?: IPayloads | null;
  continuedFailure?: IFailure | null;
  parent?: ParentInfo;
  /** The top of the parent chain (children only; a top-level run is its own root). */
  root?: { workflowId: string; runId: string };
  /** Absolute engine time when the whole chain of runs expires (0 = never). */
  executionDeadline: number;
  userMetadata?: temporal.api.sdk.v1.IUserMetadata | null;
  signal?: {
    name: string;
    input?: IPayloads | null;
    header?: temporal.api.common.v1.IHeader | null;
    identity: string;
  };
  priority?: temporal.api.common.v1.IPriority | null;
  links?: temporal.api.common.v1.ILink[] | null;
}

export interface QueryWaiter {
  id: string;
  query: temporal.api.query.v1.IWorkflowQuery;
  resolve(r: { result?: IPayloads | null; error?: { message: string; failure?: IFailure | null } }): void;
  done: boolean;
  /** Handed to a worker as a query task (so a fallback does not send it twice). */
  delivered?: boolean;
}

export type UpdateStage = 'admitted' | 'sent' | 'accepted' | 'completed';

export interface UpdateState {
  id: string;
  request: temporal.api.update.v1.IRequest;
  stage: UpdateStage;
  acceptedEventId: number;
  outcome?: temporal.api.update.v1.IOutcome;
  /** Called on every stage change; waiters filter for the stage they want. */
  listeners: Set<() => void>;
  /** Set when the update can never progress (workflow closed). */
  aborted?: Error;
}
