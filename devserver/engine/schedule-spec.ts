/**
 * Schedule specs as Temporal's scheduler reads them: calendars, cron strings and intervals compiled
 * to one plain (JSON-serialisable) form, and the next matching time after an instant. Calendar
 * fields match the literal clock time in the spec's time zone (via Intl/ICU): on a day without
 * 02:30 a 02:30 spec does not fire, on a day with two 01:30s it fires twice, as the API documents.
 * Pure: no engine, no I/O.
 */
import type { temporal } from '../proto';

type ProtoSpec = temporal.api.schedule.v1.IScheduleSpec;
type ProtoRange = temporal.api.schedule.v1.IRange;
type ProtoCalendar = temporal.api.schedule.v1.ICalendarSpec;
type ProtoStructured = temporal.api.schedule.v1.IStructuredCalendarSpec;

export interface Range {
  start: number;
  end: number;
  step: number;
}

export interface CalendarSpec {
  second: Range[];
  minute: Range[];
  hour: Range[];
  dayOfMonth: Range[];
  month: Range[];
  /** Empty: every year. */
  year: Range[];
  dayOfWeek: Range[];
  comment: string;
}

export interface IntervalSpec {
  /** Whole seconds, as the server truncates them. */
  intervalSec: number;
  phaseSec: number;
}

/** The canonical spec: what Describe shows (calendar and cron strings already compiled). */
export interface ScheduleSpec {
  calendars: CalendarSpec[];
  intervals: IntervalSpec[];
  excludes: CalendarSpec[];
  /** Epoch ms, or null. */
  startTime: number | null;
  endTime: number | null;
  jitterMs: number;
  /** IANA name; '' is UTC. */
  timezone: string;
}

export class SpecError extends Error {}

export const MIN_CALENDAR_YEAR = 2000;
export const MAX_CALENDAR_YEAR = 2100;

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

type Mode = 'int' | 'month' | 'dow';

// ---- compiling -------------------------------------------------------------------------------

function num(v: number | { toNumber(): number } | null | undefined): number {
  if (v == null) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}

function durationSec(d: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  if (!d) return 0;
  return num(d.seconds as number) + Math.trunc((d.nanos ?? 0) / 1e9);
}

function timestampMs(t: { seconds?: unknown; nanos?: number | null } | null | undefined): number | null {
  if (!t) return null;
  return num(t.seconds as number) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
}

function parseValue(s: string, min: number, max: number, mode: Mode): number {
  const lower = s.toLowerCase();
  if (mode === 'month' && lower.length >= 3) {
    const i = MONTHS.findIndex((m) => m.startsWith(lower));
    if (i >= 0) return checkBounds(i + 1, min, max);
  }
  if (mode === 'dow' && lower.length >= 2) {
    const i = DAYS.findIndex((d) => d.startsWith(lower));
    if (i >= 0) return checkBounds(i, min, max);
  }
  if (!/^\d+$/.test(s)) throw new SpecError(`invalid value "${s}"`);
  return checkBounds(Number(s), min, max);
}

function checkBounds(v: number, min: number, max: number): number {
  if (v < min || v > max) throw new SpecError(`value ${v} out of range [${min}-${max}]`);
  return v;
}

/** One calendar field as text (`*`, `x`, `x-z`, `x/y`, `x-z/y`, lists) into ranges. */
function parseField(text: string | null | undefined, def: string, min: number, max: number, mode: Mode) {
  const s = (text ?? '').trim() || def;
  const ranges: Range[] = [];
  for (const raw of s.split(',')) {
    let part = raw.trim();
    let step = 1;
    let hasStep = false;
    if (part.includes('/')) {
      const pieces = part.split('/');
      if (pieces.length !== 2 || !/^\d+$/.test(pieces[1]!))
        throw new SpecError(`malformed expression "${raw}"`);
      step = Number(pieces[1]);
      if (step < 1) throw new SpecError(`malformed expression "${raw}"`);
      part = pieces[0]!;
      hasStep = true;
    }
    let start = min;
    let end = max;
    if (part !== '*') {
      if (part.includes('-')) {
        const pieces = part.split('-');
        if (pieces.length !== 2) throw new SpecError(`malformed expression "${raw}"`);
        start = parseValue(pieces[0]!, min, max, mode);
        end = parseValue(pieces[1]!, start, max, mode);
      } else {
        start = parseValue(part, min, max, mode);
        // `x/y` runs from x to the field's maximum; a bare `x` is just x.
        if (!hasStep) end = start;
      }
    }
    ranges.push({ start, end, step });
  }
  return ranges;
}

function calendarFromText(c: ProtoCalendar): CalendarSpec {
  return {
    second: parseField(c.second, '0', 0, 59, 'int'),
    minute: parseField(c.minute, '0', 0, 59, 'int'),
    hour: parseField(c.hour, '0', 0, 23, 'int'),
    dayOfMonth: parseField(c.dayOfMonth, '*', 1, 31, 'int'),
    month: parseField(c.month, '*', 1, 12, 'month'),
    // Every year is the empty list, as the server writes it (not 2000-2100).
    year: ['', '*'].includes((c.year ?? '').trim())
      ? []
      : parseField(c.year, '*', MIN_CALENDAR_YEAR, MAX_CALENDAR_YEAR, 'int'),
    dayOfWeek: parseField(c.dayOfWeek, '*', 0, 7, 'dow'),
    comment: c.comment ?? '',
  };
}

function cleanRanges(ranges: ProtoRange[] | null | undefined): Range[] {
  return (ranges ?? []).map((r) => {
    const start = r.start ?? 0;
    const end = (r.end ?? 0) < start ? start : (r.end ?? 0);
    return { start, end, step: r.step || 1 };
  });
}

function calendarFromStructured(c: ProtoStructured): CalendarSpec {
  return {
    second: cleanRanges(c.second),
    minute: cleanRanges(c.minute),
    hour: cleanRanges(c.hour),
    dayOfMonth: cleanRanges(c.dayOfMonth),
    month: cleanRanges(c.month),
    year: cleanRanges(c.year),
    dayOfWeek: cleanRanges(c.dayOfWeek),
    comment: c.comment ?? '',
  };
}

function validateCalendar(c: CalendarSpec): void {
  const errs: string[] = [];
  const check = (ranges: Range[], field: string, min: number, max: number) => {
    for (const r of ranges) {
      if (r.start < min || r.start > max) errs.push(`${field} Start is not in range [${min}-${max}]`);
      if (r.end < r.start || r.end > max)
        errs.push(`${field} End is before Start or not in range [${min}-${max}]`);
      if (r.step < 0) errs.push(`${field} has invalid Step`);
    }
  };
  check(c.second, 'Second', 0, 59);
  check(c.minute, 'Minute', 0, 59);
  check(c.hour, 'Hour', 0, 23);
  check(c.dayOfMonth, 'DayOfMonth', 1, 31);
  check(c.month, 'Month', 1, 12);
  check(c.year, 'Year', MIN_CALENDAR_YEAR, MAX_CALENDAR_YEAR);
  // 7 is accepted as Sunday.
  check(c.dayOfWeek, 'DayOfWeek', 0, 7);
  if (c.comment.length > 200) errs.push('comment is too long');
  if (errs.length > 0) throw new SpecError(`invalid calendar spec: ${errs.join(', ')}`);
}

const CRON_SHORTHANDS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

function parseDurationSec(s: string): number {
  const m = /^(\d+)(s|m|h|d)$/.exec(s.trim());
  if (!m) throw new SpecError(`invalid duration "${s}"`);
  const mult = { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * mult;
}

function parseCron(raw: string): { calendar?: CalendarSpec; interval?: IntervalSpec; tz: string } {
  let c = raw.trim();
  let comment = '';
  const hash = c.indexOf('#');
  if (hash >= 0) {
    comment = c.slice(hash + 1).trim();
    c = c.slice(0, hash).trim();
  }
  let tz = '';
  if (c.startsWith('TZ=') || c.startsWith('CRON_TZ=')) {
    const space = c.indexOf(' ');
    if (space < 0) throw new SpecError(`malformed cron string "${raw}"`);
    tz = c.slice(c.indexOf('=') + 1, space);
    c = c.slice(space + 1).trim();
  }
  if (c.startsWith('@every')) {
    const rest = c.slice('@every'.length).trim();
    if (!rest) throw new SpecError(`malformed cron string "${raw}"`);
    const [every, phase] = rest.split('/');
    return {
      interval: { intervalSec: parseDurationSec(every!), phaseSec: phase ? parseDurationSec(phase) : 0 },
      tz,
    };
  }
  c = CRON_SHORTHANDS[c] ?? c;
  const f = c.split(/\s+/).filter(Boolean);
  let cal: ProtoCalendar;
  if (f.length === 5) cal = { minute: f[0], hour: f[1], dayOfMonth: f[2], month: f[3], dayOfWeek: f[4] };
  else if (f.length === 6)
    cal = { minute: f[0], hour: f[1], dayOfMonth: f[2], month: f[3], dayOfWeek: f[4], year: f[5] };
  else if (f.length === 7)
    cal = {
      second: f[0],
      minute: f[1],
      hour: f[2],
      dayOfMonth: f[3],
      month: f[4],
      dayOfWeek: f[5],
      year: f[6],
    };
  else throw new SpecError(`malformed cron string "${raw}"`);
  return { calendar: calendarFromText({ ...cal, comment }), tz };
}

export function validTimeZone(name: string): boolean {
  if (!name || name === 'UTC') return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** Compile a request's spec to the canonical form; SpecError names what is wrong. */
export function compileSpec(spec: ProtoSpec | null | undefined): ScheduleSpec {
  const s = spec ?? {};
  const out: ScheduleSpec = {
    calendars: (s.structuredCalendar ?? []).map(calendarFromStructured),
    intervals: [],
    excludes: (s.excludeStructuredCalendar ?? []).map(calendarFromStructured),
    startTime: timestampMs(s.startTime),
    endTime: timestampMs(s.endTime),
    jitterMs: Math.max(
      0,
      num(s.jitter?.seconds as unknown as number) * 1000 + Math.floor((s.jitter?.nanos ?? 0) / 1e6),
    ),
    timezone: s.timezoneName ?? '',
  };
  for (const c of s.calendar ?? []) out.calendars.push(calendarFromText(c));
  for (const c of s.excludeCalendar ?? []) out.excludes.push(calendarFromText(c));
  let cronTz: string | undefined;
  for (const cron of s.cronString ?? []) {
    const parsed = parseCron(cron);
    if (cronTz !== undefined && parsed.tz !== cronTz) throw new SpecError('conflicting timezone names');
    cronTz = parsed.tz;
    if (parsed.calendar) out.calendars.push(parsed.calendar);
    if (parsed.interval) out.intervals.push(parsed.interval);
  }
  if (cronTz) {
    if (out.timezone && out.timezone !== cronTz) throw new SpecError('conflicting timezone names');
    out.timezone = cronTz;
  }
  for (const iv of s.interval ?? []) {
    const intervalSec = durationSec(iv.interval);
    const phaseSec = durationSec(iv.phase);
    out.intervals.push({ intervalSec, phaseSec });
  }
  for (const c of [...out.calendars, ...out.excludes]) validateCalendar(c);
  for (const iv of out.intervals) {
    if (iv.intervalSec < 1) throw new SpecError('interval is too small');
    if (iv.phaseSec < 0) throw new SpecError('phase is negative');
    if (iv.phaseSec >= iv.intervalSec) throw new SpecError('phase cannot be greater than Interval');
  }
  if (!validTimeZone(out.timezone)) throw new SpecError(`unknown time zone ${out.timezone}`);
  return out;
}

// ---- time zones ------------------------------------------------------------------------------

/** UTC offsets of one zone, in seconds, memoised per quarter hour (transitions fall on those). */
class Zone {
  private readonly fmt: Intl.DateTimeFormat | null;
  private readonly cache = new Map<number, number>();

  constructor(name: string) {
    this.fmt =
      !name || name === 'UTC'
        ? null
        : new Intl.DateTimeFormat('en-US', {
            timeZone: name,
            hourCycle: 'h23',
            year: 'numeric',
            month: 'numeric',
            day: 'numeric',
            hour: 'numeric',
            minute: 'numeric',
            second: 'numeric',
          });
  }

  /** Offset (local - UTC) in seconds at an instant (unix seconds). */
  offset(sec: number): number {
    if (!this.fmt) return 0;
    const key = Math.floor(sec / 900);
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    const at = key * 900;
    const p: Record<string, number> = {};
    for (const part of this.fmt.formatToParts(new Date(at * 1000))) {
      if (part.type !== 'literal') p[part.type] = Number(part.value);
    }
    const wall = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) / 1000;
    const off = wall - at;
    if (this.cache.size > 50_000) this.cache.clear();
    this.cache.set(key, off);
    return off;
  }

  /** Wall-clock time (seconds, as if UTC) of an instant. */
  wall(sec: number): number {
    return sec + this.offset(sec);
  }

  /**
   * The first instant after `from` where the offset is no longer `off`, searched up to `horizon`
   * seconds ahead (offsets only change on quarter hours); `from + horizon` when none is found.
   */
  changeAfter(from: number, off: number, horizon: number): number {
    if (!this.fmt) return Number.POSITIVE_INFINITY;
    let lo = Math.floor(from / 900);
    let hi = Math.floor((from + horizon) / 900);
    if (this.offset(hi * 900) === off) return from + horizon;
    // offset(lo) === off, offset(hi) !== off: find the first quarter hour that differs.
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.offset(mid * 900) === off) lo = mid;
      else hi = mid;
    }
    return hi * 900;
  }
}

const zones = new Map<string, Zone>();
function zone(name: string): Zone {
  let z = zones.get(name);
  if (!z) {
    z = new Zone(name);
    zones.set(name, z);
  }
  return z;
}

// ---- matching --------------------------------------------------------------------------------

interface Matcher {
  year: (v: number) => boolean;
  month: Set<number>;
  dayOfMonth: Set<number>;
  dayOfWeek: Set<number>;
  hour: Set<number>;
  minute: Set<number>;
  second: Set<number>;
}

function toSet(ranges: Range[], dow = false): Set<number> {
  const set = new Set<number>();
  for (const r of ranges) for (let v = r.start; v <= Math.max(r.start, r.end); v += r.step || 1) set.add(v);
  if (dow && set.has(7)) set.add(0);
  return set;
}

const matchers = new WeakMap<CalendarSpec, Matcher>();
function matcher(c: CalendarSpec): Matcher {
  let m = matchers.get(c);
  if (!m) {
    const years = toSet(c.year);
    m = {
      year: c.year.length === 0 ? () => true : (v) => years.has(v),
      month: toSet(c.month),
      dayOfMonth: toSet(c.dayOfMonth),
      dayOfWeek: toSet(c.dayOfWeek, true),
      hour: toSet(c.hour),
      minute: toSet(c.minute),
      second: toSet(c.second),
    };
    matchers.set(c, m);
  }
  return m;
}

function daysIn(y: number, mo: number): number {
  return new Date(Date.UTC(y, mo, 0)).getUTCDate();
}

/** The first wall-clock second at or after `from` (seconds, as if UTC) whose fields all match. */
function nextWallMatch(m: Matcher, from: number): number | null {
  const d0 = new Date(from * 1000);
  let y = d0.getUTCFullYear();
  let mo = d0.getUTCMonth() + 1;
  let d = d0.getUTCDate();
  let h = d0.getUTCHours();
  let mi = d0.getUTCMinutes();
  let s = d0.getUTCSeconds();
  if (!Number.isFinite(y)) return null;
  outer: for (;;) {
    if (s >= 60) [mi, s] = [mi + 1, 0];
    if (mi >= 60) [h, mi] = [h + 1, 0];
    if (h >= 24) [d, h] = [d + 1, 0];
    if (mo <= 12 && d > daysIn(y, mo)) [mo, d] = [mo + 1, 1];
    if (mo > 12) [y, mo] = [y + 1, 1];
    if (y > MAX_CALENDAR_YEAR) return null;
    if (!m.year(y)) {
      [y, mo, d, h, mi, s] = [y + 1, 1, 1, 0, 0, 0];
      continue;
    }
    while (!m.month.has(mo)) {
      [mo, d, h, mi, s] = [mo + 1, 1, 0, 0, 0];
      if (mo > 12) continue outer;
    }
    while (!m.dayOfMonth.has(d) || !m.dayOfWeek.has(new Date(Date.UTC(y, mo - 1, d)).getUTCDay())) {
      [d, h, mi, s] = [d + 1, 0, 0, 0];
      if (d > daysIn(y, mo)) continue outer;
    }
    while (!m.hour.has(h)) {
      [h, mi, s] = [h + 1, 0, 0];
      if (h >= 24) continue outer;
    }
    while (!m.minute.has(mi)) {
      [mi, s] = [mi + 1, 0];
      if (mi >= 60) continue outer;
    }
    while (!m.second.has(s)) {
      s += 1;
      if (s >= 60) continue outer;
    }
    return Date.UTC(y, mo - 1, d, h, mi, s) / 1000;
  }
}

/** Far enough to never straddle two transitions (Morocco's Ramadan pause is the shortest: ~30 days). */
const SEGMENT_HORIZON_SEC = 7 * 86_400;

/**
 * The first instant (unix seconds) after `after` whose clock time in the zone matches. Walks the
 * zone's constant-offset segments: within one, clock time is instant + offset, so the first match is
 * the first matching clock reading mapped back — if it falls before the segment ends.
 */
function calendarNext(c: CalendarSpec, z: Zone, after: number): number | null {
  const m = matcher(c);
  let from = after + 1;
  for (;;) {
    const off = z.offset(from);
    const end = z.changeAfter(from, off, SEGMENT_HORIZON_SEC);
    const match = nextWallMatch(m, from + off);
    if (match === null) return null;
    const t = match - off;
    if (t < end) return t;
    from = end;
  }
}

function calendarMatches(c: CalendarSpec, z: Zone, sec: number): boolean {
  const m = matcher(c);
  const d = new Date(z.wall(sec) * 1000);
  return (
    m.year(d.getUTCFullYear()) &&
    m.month.has(d.getUTCMonth() + 1) &&
    m.dayOfMonth.has(d.getUTCDate()) &&
    m.dayOfWeek.has(d.getUTCDay()) &&
    m.hour.has(d.getUTCHours()) &&
    m.minute.has(d.getUTCMinutes()) &&
    m.second.has(d.getUTCSeconds())
  );
}

function rawNext(spec: ScheduleSpec, z: Zone, afterSec: number): number | null {
  let min: number | null = null;
  for (const c of spec.calendars) {
    const t = calendarNext(c, z, afterSec);
    if (t !== null && (min === null || t < min)) min = t;
  }
  for (const iv of spec.intervals) {
    const t = (Math.floor((afterSec - iv.phaseSec) / iv.intervalSec) + 1) * iv.intervalSec + iv.phaseSec;
    if (min === null || t < min) min = t;
  }
  return min;
}

/** FNV-1a, 32 bits: a deterministic jitter per (seed, nominal time). */
function fingerprint(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

const MAX_EXCLUDED_ITERATIONS = 100_000;

export interface NextTime {
  /** Epoch ms the spec matched (before jitter). */
  nominal: number;
  /** Epoch ms the action is taken (nominal plus jitter). */
  next: number;
}

/**
 * The next action time strictly after `afterMs`, or null when none is left. Jitter is derived
 * from `seed` and the nominal time, and never pushes past the following nominal time.
 */
export function nextTime(spec: ScheduleSpec, seed: string, afterMs: number): NextTime | null {
  const z = zone(spec.timezone);
  let after = Math.floor(afterMs / 1000);
  if (spec.startTime !== null && afterMs < spec.startTime) after = Math.floor(spec.startTime / 1000) - 1;
  let nominal: number | null = null;
  // A spec its excludes (nearly) cancel out stops here instead of searching to 2100 second by second.
  for (let i = 0; ; i++) {
    if (i >= MAX_EXCLUDED_ITERATIONS) return null;
    nominal = rawNext(spec, z, after);
    if (nominal === null) return null;
    if (spec.endTime !== null && nominal * 1000 > spec.endTime) return null;
    if (!spec.excludes.some((c) => calendarMatches(c, z, nominal!))) break;
    after = nominal;
  }
  let maxJitter = spec.jitterMs;
  if (maxJitter > 0) {
    const following = rawNext(spec, z, nominal);
    if (following !== null) maxJitter = Math.min(maxJitter, (following - nominal) * 1000);
  }
  const jitter = maxJitter > 0 ? Math.floor((fingerprint(`${seed}|${nominal}`) / 2 ** 32) * maxJitter) : 0;
  return { nominal: nominal * 1000, next: nominal * 1000 + jitter };
}

// ---- back to the wire ------------------------------------------------------------------------

function rangesOut(ranges: Range[]) {
  return ranges.map((r) => ({ start: r.start, end: r.end, step: r.step }));
}

function calendarOut(c: CalendarSpec) {
  return {
    second: rangesOut(c.second),
    minute: rangesOut(c.minute),
    hour: rangesOut(c.hour),
    dayOfMonth: rangesOut(c.dayOfMonth),
    month: rangesOut(c.month),
    year: rangesOut(c.year),
    dayOfWeek: rangesOut(c.dayOfWeek),
    comment: c.comment,
  };
}

function msTs(ms: number) {
  const s = Math.floor(ms / 1000);
  return { seconds: s, nanos: (ms - s * 1000) * 1e6 };
}

/** The canonical spec as Describe/List answer it (structured calendars, intervals, time zone). */
export function specToProto(spec: ScheduleSpec) {
  return {
    structuredCalendar: spec.calendars.map(calendarOut),
    interval: spec.intervals.map((iv) => ({
      interval: { seconds: iv.intervalSec, nanos: 0 },
      phase: { seconds: iv.phaseSec, nanos: 0 },
    })),
    excludeStructuredCalendar: spec.excludes.map(calendarOut),
    startTime: spec.startTime === null ? null : msTs(spec.startTime),
    endTime: spec.endTime === null ? null : msTs(spec.endTime),
    jitter: msTs(spec.jitterMs),
    timezoneName: spec.timezone,
  };
}
