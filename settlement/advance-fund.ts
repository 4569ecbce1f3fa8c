// 预付金: the insured province's advance to a treatment province. [U] Sizing (≈ 2 months of average
// cross-province spending) and warning levels (Hebei: yellow ≥ 70% used, red ≥ 90% with an emergency
// top-up, 紧急调增) are parameters.
import { fail, issue, ok, type Result } from './errors';
import type { Fen } from './money';
import { divHalfUpBig, PPM, type Ratio } from './ratio';
import { Reader } from './read';

export interface AdvanceFundParams {
  readonly yellow: Ratio;
  readonly red: Ratio;
  /** Months of average spending an advance should cover. */
  readonly months: number;
  /** Usage an emergency top-up brings the fund back to (e.g. 0.50). */
  readonly top_up_target: Ratio;
}

export type WarningLevel = 'normal' | 'yellow' | 'red';

export interface AdvanceFundStatus {
  readonly granted: Fen;
  readonly used: Fen;
  /** granted − used; negative when overdrawn. */
  readonly balance: number;
  /** used / granted in ppm, rounded down (may exceed 10^6 when overdrawn). */
  readonly usage_ppm: number;
  readonly level: WarningLevel;
  /** On red: the amount to add so usage falls to top_up_target; otherwise zero. */
  readonly top_up: Fen;
}

export function validateAdvanceFundParams(p: AdvanceFundParams): Result<AdvanceFundParams> {
  const errors = [];
  if (!(p.yellow < p.red))
    errors.push(issue('params.yellow', 'range', 'the yellow level must be below the red level'));
  if (!(p.top_up_target > 0 && p.top_up_target < p.yellow)) {
    errors.push(issue('params.top_up_target', 'range', 'must be above zero and below the yellow level'));
  }
  if (!(Number.isInteger(p.months) && p.months > 0))
    errors.push(issue('params.months', 'range', 'must be ≥ 1'));
  return errors.length > 0 ? fail(errors) : ok(p);
}

/** The advance for the coming period: average monthly spending × months, rounded half up. */
export function sizeAdvanceFund(monthlySpending: readonly Fen[], p: AdvanceFundParams): Result<Fen> {
  if (monthlySpending.length === 0)
    return fail([issue('monthlySpending', 'required', 'needs at least one month')]);
  const total = monthlySpending.reduce((s, m) => s + BigInt(m), 0n);
  const n = BigInt(monthlySpending.length);
  return ok(divHalfUpBig(total * BigInt(p.months), n) as Fen);
}

/** Usage and warning level; comparisons are exact (used × 10^6 against level × granted, in bigint). */
export function advanceFundStatus(
  granted: Fen,
  used: Fen,
  params: AdvanceFundParams,
): Result<AdvanceFundStatus> {
  const v = validateAdvanceFundParams(params);
  if (!v.ok) return v;
  if (granted <= 0) return fail([issue('granted', 'range', 'the advance must be positive')]);
  const u = BigInt(used) * BigInt(PPM);
  const g = BigInt(granted);
  const level: WarningLevel =
    u >= BigInt(params.red) * g ? 'red' : u >= BigInt(params.yellow) * g ? 'yellow' : 'normal';
  let topUp = 0;
  if (level === 'red') {
    // Smallest granted' with used / granted' ≤ target: ceil(used × 10^6 / target).
    const t = BigInt(params.top_up_target);
    const needed = (u + t - 1n) / t;
    topUp = Number(needed - g);
  }
  return ok({
    granted,
    used,
    balance: granted - used,
    usage_ppm: Number(u / g),
    level,
    top_up: topUp as Fen,
  });
}

/** Reads { yellow: "0.70", red: "0.90", months: 2, top_up_target: "0.50" } (e.g. fixtures/parameters.ts). */
export function parseAdvanceFundParams(input: unknown): Result<AdvanceFundParams> {
  const r = new Reader();
  const o = r.object(input, 'params', ['yellow', 'red', 'months', 'top_up_target']);
  if (o === null) return fail(r.errors);
  const p: AdvanceFundParams = {
    yellow: r.ratio(o.yellow, 'params.yellow'),
    red: r.ratio(o.red, 'params.red'),
    months: r.integer(o.months, 'params.months', 1),
    top_up_target: r.ratio(o.top_up_target, 'params.top_up_target'),
  };
  return r.errors.length > 0 ? fail(r.errors) : validateAdvanceFundParams(p);
}
