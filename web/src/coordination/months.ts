/** Months as the clearing and monitoring routes take them: `YYYY-MM`, in Beijing time. Pure. */

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function isMonth(value: unknown): value is string {
  return typeof value === 'string' && MONTH.test(value);
}

/** The month of an instant in Beijing (UTC+8, no daylight saving). */
export function monthOf(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 7);
}

/** `month` moved by `delta` months (negative goes back). */
export function addMonths(month: string, delta: number): string {
  const m = MONTH.exec(month);
  if (!m) throw new Error(`not a month: ${month}`);
  const index = Number(m[1]) * 12 + Number(m[2]) - 1 + delta;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** The month cleared last: the one before this one (the schedule clears on day 1 for the month before). */
export function lastClearedMonth(now: number): string {
  return addMonths(monthOf(now), -1);
}

/** Every month from `from` to `to`, both included; empty when `to` is before `from`. */
export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let m = from; m <= to && out.length < 1200; m = addMonths(m, 1)) out.push(m);
  return out;
}

/** "2026年11月". */
export function monthLabel(month: string): string {
  const m = MONTH.exec(month);
  return m ? `${m[1]}年${Number(m[2])}月` : month;
}
