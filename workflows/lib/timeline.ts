import type { CaseClock } from './clock';

/** One step of a case's timeline as the projection writes it (`case_event`). */
export interface TimelineEvent {
  id: string;
  at: string;
  actor: string;
  kind: string;
  detail: Record<string, unknown>;
}

/**
 * A case's timeline and its projection: events are recorded as the case moves, and `project()` hands
 * the pending events with a fresh snapshot to one activity, which writes both in one transaction. The
 * projection counter rides along, so a late retry of an older snapshot never overwrites a newer one.
 */
export function caseTimeline<S>(opts: {
  /** Event ids are `<idPrefix><n>`: stable across activity retries, so each is written once. */
  idPrefix: string;
  clock: CaseClock;
  snapshot: () => S;
  write: (args: { snapshot: S; projection_seq: number; events: TimelineEvent[] }) => Promise<void>;
}) {
  let eventSeq = 0;
  let projectionSeq = 0;
  const pending: TimelineEvent[] = [];
  return {
    record(kind: string, actor: string, detail: Record<string, unknown> = {}, at?: string) {
      eventSeq += 1;
      pending.push({ id: `${opts.idPrefix}${eventSeq}`, at: at ?? opts.clock.iso(), actor, kind, detail });
    },
    /** The events not yet written, taken out (for a projection other than the snapshot's own). */
    drain(): TimelineEvent[] {
      return pending.splice(0);
    },
    async project(): Promise<void> {
      projectionSeq += 1;
      const events = pending.splice(0);
      try {
        await opts.write({ snapshot: opts.snapshot(), projection_seq: projectionSeq, events });
      } catch (error) {
        // Not written: keep the events for the next projection (a case that goes to NEEDS_ATTENTION shows them).
        pending.unshift(...events);
        throw error;
      }
    },
  };
}
export type CaseTimeline = ReturnType<typeof caseTimeline>;
