/**
 * A case's clock. Workflow `Date.now()` is deterministic (the workflow task's time). A case submitted
 * before its workflow started (`submitted_at`: demo data, or a case taken over from another system)
 * counts from its submission: the submission event, the first SLA and the effective date are dated
 * then, so a referral submitted ten days ago is overdue at once. Everything later runs on real time.
 */
export interface CaseClock {
  now(): number;
  /** When the case was submitted: its workflow start, or the earlier `submitted_at`. */
  readonly submitted: number;
  iso(ms?: number): string;
  /** Milliseconds from now until an instant, at least 1 (a Temporal timer needs > 0). */
  until(ms: number): number;
}

export function caseClock(submitted_at?: string | null): CaseClock {
  const started = Date.now();
  const given = submitted_at ? Date.parse(submitted_at) : Number.NaN;
  // Only a past submission counts; a future or malformed one is ignored.
  const submitted = Number.isFinite(given) && given < started ? given : started;
  return {
    now: () => Date.now(),
    submitted,
    iso: (ms = Date.now()) => new Date(ms).toISOString(),
    until: (ms) => Math.max(ms - Date.now(), 1),
  };
}
