/**
 * Dates as the agencies count them: calendar dates in China Standard Time (UTC+8, no DST), and
 * working days from a per-province holiday calendar held as data. Pure: the workflow passes its own
 * clock (`Date.now()` is deterministic inside a workflow), so SLA timers are durations computed here.
 */

const CST_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` of an instant in China Standard Time. */
export function cstDate(ms: number): string {
  return new Date(ms + CST_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant a CST date begins (00:00 +08:00). */
export function cstStartOf(date: string): number {
  return Date.parse(`${date}T00:00:00+08:00`);
}

/** The instant right after a CST date ends (24:00 +08:00): "valid until the end of that day". */
export function cstEndOf(date: string): number {
  return cstStartOf(date) + DAY_MS;
}

export function addDays(date: string, days: number): string {
  return cstDate(cstStartOf(date) + days * DAY_MS);
}

/** Adds calendar months, clamping to the month's last day (2026-08-31 + 6 → 2027-02-28). */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) + months;
  const year = Math.floor(total / 12);
  const month = (total % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${year}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

/** The same CST time of day, `months` calendar months later. */
export function addMonthsToInstant(ms: number, months: number): number {
  const date = cstDate(ms);
  return cstStartOf(addMonths(date, months)) + (ms - cstStartOf(date));
}

/** 0 = Sunday … 6 = Saturday, of a CST date. */
function weekday(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

export interface HolidayCalendar {
  /** Weekdays that are days off (法定节假日 and the days moved to join them). */
  holidays: readonly string[];
  /** Weekend days that are working days (调休上班). */
  workdays: readonly string[];
}

/**
 * [U] National arrangements for 2025 and 2026 (国务院办公厅关于部分节假日安排的通知, as cited by
 * press reports; check against the official notice before production). Provinces add their own days
 * (e.g. 广西 壮族三月三) in PROVINCE_HOLIDAYS.
 */
export const NATIONAL_CALENDAR: HolidayCalendar = {
  holidays: [
    '2025-01-01',
    '2025-01-28',
    '2025-01-29',
    '2025-01-30',
    '2025-01-31',
    '2025-02-03',
    '2025-02-04',
    '2025-04-04',
    '2025-05-01',
    '2025-05-02',
    '2025-05-05',
    '2025-06-02',
    '2025-10-01',
    '2025-10-02',
    '2025-10-03',
    '2025-10-06',
    '2025-10-07',
    '2025-10-08',
    '2026-01-01',
    '2026-01-02',
    '2026-02-16',
    '2026-02-17',
    '2026-02-18',
    '2026-02-19',
    '2026-02-20',
    '2026-02-23',
    '2026-04-06',
    '2026-05-01',
    '2026-05-04',
    '2026-05-05',
    '2026-06-19',
    '2026-09-25',
    '2026-10-01',
    '2026-10-02',
    '2026-10-05',
    '2026-10-06',
    '2026-10-07',
  ],
  workdays: [
    '2025-01-26',
    '2025-02-08',
    '2025-04-27',
    '2025-09-28',
    '2025-10-11',
    '2026-01-04',
    '2026-02-14',
    '2026-02-28',
    '2026-05-09',
    '2026-09-20',
    '2026-10-10',
  ],
};

/** [U] Extra provincial days off, by province code; empty until an agency supplies its calendar. */
export const PROVINCE_HOLIDAYS: Readonly<Record<string, readonly string[]>> = {};

export function calendarFor(prov_admdvs: string): HolidayCalendar {
  const extra = PROVINCE_HOLIDAYS[prov_admdvs] ?? [];
  return { holidays: [...NATIONAL_CALENDAR.holidays, ...extra], workdays: NATIONAL_CALENDAR.workdays };
}

export function isWorkingDay(date: string, calendar: HolidayCalendar): boolean {
  if (calendar.workdays.includes(date)) return true;
  if (calendar.holidays.includes(date)) return false;
  const day = weekday(date);
  return day !== 0 && day !== 6;
}

/**
 * The deadline of "N working days" counted from an instant: the day it happens does not count, the
 * deadline is the end (24:00 CST) of the Nth working day after it.
 */
export function workingDayDeadline(fromMs: number, days: number, calendar: HolidayCalendar): number {
  let date = cstDate(fromMs);
  let left = days;
  while (left > 0) {
    date = addDays(date, 1);
    if (isWorkingDay(date, calendar)) left -= 1;
  }
  return cstEndOf(date);
}

/** A CST date as people read it: 2027年6月1日. */
export function formatCstDate(ms: number): string {
  const [y, m, d] = cstDate(ms).split('-').map(Number) as [number, number, number];
  return `${y}年${m}月${d}日`;
}
