// Ratios are integer parts per million (ppm), so fen × ratio is an exact integer product and
// every fund payment is rounded exactly once, half up.
import { issue, type ValidationError } from './errors';
import { describe, type Fen } from './money';

declare const ratioBrand: unique symbol;
/** An integer 0..1_000_000 meaning 0..1 (ppm). Six decimals are enough for every published rate. */
export type Ratio = number & { readonly [ratioBrand]: true };

export const PPM = 1_000_000;
export const ONE = PPM as Ratio;
export const NIL = 0 as Ratio;

/** Largest fen amount whose product with any ratio (≤ 10^6) stays below 2^53: the number fast path's bound. */
export const SAFE_FEN_FOR_RATIO = Math.floor(Number.MAX_SAFE_INTEGER / PPM);

const RATIO = /^(?:0(?:\.([0-9]{1,6}))?|1(?:\.0{1,6})?)$/;

export function ratio(ppm: number): Ratio {
  if (!Number.isInteger(ppm) || ppm < 0 || ppm > PPM) throw new RangeError(`not a ratio in ppm: ${ppm}`);
  return ppm as Ratio;
}

/** Parses "0.888" → 888000. Accepts 0..1 with at most six decimals; rejects "1.5", "-0.1", "88%", numbers. */
export function parseRatio(input: unknown, path: string): Ratio | ValidationError {
  if (typeof input !== 'string') {
    return issue(path, 'type', `must be a ratio as a decimal string between 0 and 1, got ${describe(input)}`);
  }
  const m = RATIO.exec(input);
  if (m === null) {
    return issue(path, 'format', `"${input}" is not a ratio between 0 and 1 with at most six decimals`);
  }
  if (input.startsWith('1')) return ONE;
  const digits = m[1] ?? '';
  return (digits === '' ? 0 : Number(digits.padEnd(6, '0'))) as Ratio;
}

/** 888000 → "0.888" (the input form, for serialisation). */
export function formatRatio(r: Ratio): string {
  if (r === PPM) return '1.00';
  const s = String(r).padStart(6, '0').replace(/0+$/, '');
  return `0.${s.length < 2 ? s.padEnd(2, '0') : s}`;
}

/** 888000 → "88.8%" (for explanations). */
export function percent(r: number): string {
  return `${r / 10_000}%`;
}

/** round(n / d), half up, for non-negative safe integers. */
export function divHalfUp(n: number, d: number): number {
  let q = Math.floor(n / d);
  let r = n - q * d;
  // The float quotient can be off by one near 2^53; the exact remainder corrects it.
  if (r < 0) {
    q -= 1;
    r += d;
  } else if (r >= d) {
    q += 1;
    r -= d;
  }
  return 2 * r >= d ? q + 1 : q;
}

/** round(n / d), half up, for non-negative bigints. */
export function divHalfUpBig(n: bigint, d: bigint): number {
  const q = n / d;
  const r = n - q * d;
  return Number(2n * r >= d ? q + 1n : q);
}

/** amount × r, rounded once half up. */
export function applyRatio(amount: Fen, r: Ratio): Fen {
  if (amount <= SAFE_FEN_FOR_RATIO) return divHalfUp(amount * r, PPM) as Fen;
  return divHalfUpBig(BigInt(amount) * BigInt(r), 1_000_000n) as Fen;
}

/** One segment of a banded rule: amounts up to `upto` (null = no upper bound) are paid at `ratio`. */
export interface Band {
  readonly upto: Fen | null;
  readonly ratio: Ratio;
}

/**
 * Σ over bands of (the part of [from, to) inside the band) × (ratio − points) × factor, rounded once,
 * half up. Bands are positions on one cumulative axis ending with an unbounded band; validation
 * guarantees ratio ≥ points. points = 0 and factor = 1 (PPM) mean no temporary-traveller adjustment.
 */
export function bandedPay(from: Fen, to: Fen, bands: readonly Band[], points: Ratio, factor: Ratio): Fen {
  if (to <= from) return 0 as Fen;
  // In doubles while provably exact: to × 10^6 < 2^53 and the multiplier folds into a whole ppm ratio
  // (0.92 × 0.90 = 0.828 does; 0.333333 × 0.333333 does not). Otherwise the rest goes on in bigint
  // over 10^12, still with one rounding at the end.
  let fast = to <= SAFE_FEN_FOR_RATIO;
  let numer = 0; // over 10^6, while fast
  let big = 0n; // over 10^12, once not fast
  let lo = 0;
  for (let i = 0; i < bands.length; i++) {
    const band = bands[i]!;
    const hi = band.upto === null ? Number.POSITIVE_INFINITY : band.upto;
    const a = from > lo ? from : lo;
    const b = to < hi ? to : hi;
    if (b > a) {
      const scaled = (band.ratio - points) * factor; // ≤ 10^12, exact
      if (fast && scaled % PPM === 0) {
        numer += (b - a) * (scaled / PPM);
      } else {
        if (fast) {
          big = BigInt(numer) * 1_000_000n;
          fast = false;
        }
        big += BigInt(b - a) * BigInt(scaled);
      }
    }
    if (hi >= to) break;
    lo = hi;
  }
  return (fast ? divHalfUp(numer, PPM) : divHalfUpBig(big, 1_000_000_000_000n)) as Fen;
}
