/** Activity state, timeout normalisation and the retry policy, as the real server applies them. */
import {
  durationMs,
  enums,
  type IFailure,
  type IPayloads,
  type Loose,
  msToDuration,
  type temporal,
} from '../proto';
import type { TimerHandle } from './clock';

export interface NormalizedActivity {
  activityId: string;
  activityType: string;
  taskQueue: string;
  scheduleToCloseMs: number;
  scheduleToStartMs: number;
  startToCloseMs: number;
  heartbeatMs: number;
  retryPolicy: Loose<temporal.api.common.v1.IRetryPolicy>;
}

export interface ActivityState extends NormalizedActivity {
  header: temporal.api.common.v1.IHeader | null;
  input: IPayloads | null;
  scheduledEventId: number;
  attempt: number;
  /** backoff: waiting to be dispatched again after a failed attempt. */
  state: 'scheduled' | 'started' | 'backoff';
  /** Bumped per dispatch so stale queue entries are ignored. */
  seq: number;
  firstScheduledTime: number;
  attemptScheduledTime: number;
  startedTime: number;
  lastHeartbeatTime: number;
  heartbeatDetails: IPayloads | null;
  cancelRequested: boolean;
  cancelRequestedEventId?: number;
  lastFailure: IFailure | null;
  lastIdentity: string;
  /** Engine time a backoff ends (state 'backoff'); kept so a restart resumes it. */
  retryAt?: number;
  /** PauseActivity: not dispatched until unpaused; a running attempt is told through its heartbeat. */
  paused?: boolean;
  /** The running attempt was told it is paused (unpause may come before the worker gives it up). */
  pausedWhileRunning?: boolean;
  /** ResetActivity on a running attempt: told through its heartbeat, retried at once when it ends. */
  resetRequested?: boolean;
  /** Counted in the clock's in-flight tasks (scheduled or started). */
  busy: boolean;
  timers: {
    scheduleToStart?: TimerHandle;
    startToClose?: TimerHandle;
    heartbeat?: TimerHandle;
    scheduleToClose?: TimerHandle;
    backoff?: TimerHandle;
  };
}

const FOREVER = 0;

export function normalizeActivity(
  a: temporal.api.command.v1.IScheduleActivityTaskCommandAttributes,
  workflowTaskQueue: string,
  runTimeoutMs: number,
): NormalizedActivity {
  let scheduleToClose = durationMs(a.scheduleToCloseTimeout);
  let startToClose = durationMs(a.startToCloseTimeout);
  let scheduleToStart = durationMs(a.scheduleToStartTimeout);
  let heartbeat = durationMs(a.heartbeatTimeout);
  // The run timeout caps everything, as on the real server.
  if (runTimeoutMs > 0 && (scheduleToClose === FOREVER || scheduleToClose > runTimeoutMs))
    scheduleToClose = runTimeoutMs;
  if (scheduleToStart === FOREVER || (scheduleToClose > 0 && scheduleToStart > scheduleToClose)) {
    scheduleToStart = scheduleToClose;
  }
  if (startToClose === FOREVER || (scheduleToClose > 0 && startToClose > scheduleToClose)) {
    startToClose = scheduleToClose || startToClose;
  }
  if (heartbeat > startToClose) heartbeat = startToClose;
  const rp = a.retryPolicy ?? {};
  const initial = durationMs(rp.initialInterval) || 1000;
  return {
    activityId: a.activityId ?? '',
    activityType: a.activityType?.name ?? '',
    taskQueue: a.taskQueue?.name || workflowTaskQueue,
    scheduleToCloseMs: scheduleToClose,
    scheduleToStartMs: scheduleToStart,
    startToCloseMs: startToClose,
    heartbeatMs: heartbeat,
    retryPolicy: {
      initialInterval: msToDuration(initial),
      backoffCoefficient: rp.backoffCoefficient || 2,
      maximumInterval: msToDuration(durationMs(rp.maximumInterval) || initial * 100),
      maximumAttempts: rp.maximumAttempts ?? 0,
      nonRetryableErrorTypes: rp.nonRetryableErrorTypes ?? [],
    },
  };
}

/** Delay before the next attempt, or why there is none. */
export function nextActivityRetry(
  act: ActivityState,
  failure: IFailure,
  now: number,
): { delayMs: number } | { retryState: temporal.api.enums.v1.RetryState } {
  const rp = act.retryPolicy;
  const max = rp.maximumAttempts ?? 0;
  // Non-retryable first, as the server checks: it is the reason even on the last allowed attempt.
  const info = failure.applicationFailureInfo;
  if (info?.nonRetryable || (info?.type && (rp.nonRetryableErrorTypes ?? []).includes(info.type))) {
    return { retryState: enums.RetryState.RETRY_STATE_NON_RETRYABLE_FAILURE };
  }
  if (max > 0 && act.attempt >= max)
    return { retryState: enums.RetryState.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED };
  const initial = durationMs(rp.initialInterval);
  const maxInterval = durationMs(rp.maximumInterval);
  const coef = rp.backoffCoefficient || 2;
  const delayMs =
    durationMs(info?.nextRetryDelay) || Math.min(initial * coef ** (act.attempt - 1), maxInterval);
  if (act.scheduleToCloseMs > 0 && now + delayMs >= act.firstScheduledTime + act.scheduleToCloseMs) {
    return { retryState: enums.RetryState.RETRY_STATE_TIMEOUT };
  }
  return { delayMs };
}

const TIMEOUT_NAMES: Record<number, string> = {
  [enums.TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE]: 'StartToClose',
  [enums.TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START]: 'ScheduleToStart',
  [enums.TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE]: 'ScheduleToClose',
  [enums.TimeoutType.TIMEOUT_TYPE_HEARTBEAT]: 'Heartbeat',
};

export function timeoutFailure(
  type: temporal.api.enums.v1.TimeoutType,
  lastHeartbeatDetails: IPayloads | null,
): IFailure {
  return {
    message: `activity ${TIMEOUT_NAMES[type] ?? ''} timeout`,
    source: 'Server',
    timeoutFailureInfo: { timeoutType: type, lastHeartbeatDetails },
  };
}
