// Activities for the devserver tests. They run in the test process, so they report what they saw
// (attempts, heartbeat details, cancellation, task tokens) to the test through a Probe.
import { EventEmitter, once } from 'node:events';
import { ApplicationFailure, CompleteAsyncError, Context } from '@temporalio/activity';

export interface AttemptSeen {
  attempt: number;
  heartbeatDetails: unknown;
  /** Time the worker saw when the attempt began (virtual clock is the server's, not ours). */
  scheduledTime: number;
  currentAttemptScheduledTime: number;
}

/** What activities report to the test: attempts per key, and named events the test can await. */
export class Probe {
  readonly attempts = new Map<string, AttemptSeen[]>();
  private readonly events = new EventEmitter();

  record(key: string): AttemptSeen {
    const info = Context.current().info;
    const seen: AttemptSeen = {
      attempt: info.attempt,
      heartbeatDetails: info.heartbeatDetails,
      scheduledTime: info.scheduledTimestampMs,
      currentAttemptScheduledTime: info.currentAttemptScheduledTimestampMs,
    };
    const list = this.attempts.get(key) ?? [];
    list.push(seen);
    this.attempts.set(key, list);
    return seen;
  }

  emit(event: string, payload: unknown): void {
    this.events.emit(event, payload);
  }

  /** Resolves with the payload of the next `event`; call it before triggering the event. */
  async next<T>(event: string): Promise<T> {
    const [payload] = await once(this.events, event);
    return payload as T;
  }
}

export interface TokenReport {
  taskToken: Uint8Array;
  activityId: string;
  workflowId: string;
}

export function createActivities(probe: Probe) {
  return {
    async greet(name: string): Promise<string> {
      return `Hello, ${name}!`;
    },

    /** Fails with `errorType` on the first `failures` attempts, then returns the attempt number. */
    async flaky(key: string, failures: number, errorType = 'Flaky'): Promise<number> {
      const { attempt } = probe.record(key);
      if (attempt <= failures)
        throw ApplicationFailure.create({ type: errorType, message: `attempt ${attempt}` });
      return attempt;
    },

    /** Counts to `upTo`, heartbeating each step; attempt 1 crashes after `crashAfter`; a retry resumes from the details. */
    async countWithHeartbeats(
      key: string,
      upTo: number,
      crashAfter: number,
    ): Promise<{ from: number; attempt: number }> {
      const seen = probe.record(key);
      const from = typeof seen.heartbeatDetails === 'number' ? seen.heartbeatDetails : 0;
      for (let i = from + 1; i <= upTo; i++) {
        Context.current().heartbeat(i);
        if (seen.attempt === 1 && i === crashAfter)
          throw ApplicationFailure.create({ message: `crashed at ${i}` });
      }
      return { from, attempt: seen.attempt };
    },

    /** Sleeps (cancellably) for `ms`; used to provoke start-to-close and schedule-to-close timeouts. */
    async hang(key: string, ms: number): Promise<string> {
      probe.record(key);
      await Context.current().sleep(ms);
      return 'woke up';
    },

    /** Heartbeats once, then goes silent while still running, to provoke a heartbeat timeout. */
    async heartbeatOnceThenStall(key: string, ms: number): Promise<string> {
      probe.record(key);
      Context.current().heartbeat('alive');
      await Context.current().sleep(ms);
      return 'woke up';
    },

    /** Heartbeats until cancelled; reports the cancellation error it saw. */
    async waitForCancellation(key: string): Promise<string> {
      probe.record(key);
      probe.emit(`started:${key}`, Context.current().info.activityId);
      const ctx = Context.current();
      const beat = setInterval(() => ctx.heartbeat(), 50);
      try {
        await ctx.cancelled;
        return 'not reached';
      } catch (err) {
        probe.emit(`cancelled:${key}`, err);
        throw err;
      } finally {
        clearInterval(beat);
      }
    },

    /** Hands its task token to the test and leaves completion to `client.activity.complete`. */
    async completeLater(key: string): Promise<string> {
      probe.record(key);
      const info = Context.current().info;
      const report: TokenReport = {
        taskToken: info.taskToken,
        activityId: info.activityId,
        workflowId: info.workflowExecution?.workflowId ?? '',
      };
      probe.emit(`token:${key}`, report);
      throw new CompleteAsyncError();
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
