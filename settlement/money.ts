// Money is integer fen. Yuan strings with exactly two decimals exist only at the edges.
import { issue, type ValidationError } from './errors';

declare const fenBrand: unique symbol;
/** A non-negative whole number of fen (0.01 yuan), never above MAX_FEN. */
export type Fen = number & { readonly [fenBrand]: true };

/** 10^13 fen = 100 billion yuan: far above any stay, and a sum of 900 such amounts stays exact in a double. */
export const MAX_FEN = 10_000_000_000_000;

export const ZERO = 0 as Fen;

const YUAN = /^(0|[1-9][0-9]{0,10})\.([0-9]{2})$/;

/** Trusted construction (tests, fixtures, arithmetic results); throws on a value that is not a fen amount. */
export function fen(n: number): Fen {
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_FEN) throw new RangeError(`not a fen amount: ${n}`);
  return n as Fen;
}

/** Parses "1234.50" → 123450 fen. Rejects "12.345", "-1", "1e3", "", "12", numbers and anything else. */
export function parseYuan(input: unknown, path: string): Fen | ValidationError {
  if (typeof input !== 'string') {
    return issue(path, 'type', `must be a yuan amount as a string with two decimals, got ${describe(input)}`);
  }
  const m = YUAN.exec(input);
  if (m === null) {
    return issue(path, 'format', `"${input}" is not a yuan amount with exactly two decimals (e.g. "12.30")`);
  }
  const value = Number(m[1]) * 100 + Number(m[2]);
  if (value > MAX_FEN) return issue(path, 'range', `"${input}" exceeds the largest amount accepted`);
  return value as Fen;
}

export function isError(v: unknown): v is ValidationError {
  return typeof v === 'object' && v !== null && 'code' in v && 'path' in v;
}

/** "00".."99": the cents of an amount with one table look-up instead of a second number-to-string. */
const CENTS = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : String(i)));

/** 123450 → "1234.50". */
export function formatYuan(amount: Fen): string {
  const cents = amount % 100;
  return `${(amount - cents) / 100}.${CENTS[cents]}`;
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return `"${v}"`;
  if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v} ${String(v)}`;
  return Array.isArray(v) ? 'an array' : typeof v;
}

/** Arithmetic that cannot go below zero: a negative result is a bug, so it throws rather than clamps. */
export function sub(a: Fen, b: Fen): Fen {
  const d = a - b;
  if (d < 0) throw new RangeError(`negative amount: ${a} - ${b}`);
  return d as Fen;
}

export function add(a: Fen, b: Fen): Fen {
  return (a + b) as Fen;
}

export function min(a: Fen, b: Fen): Fen {
  return (a < b ? a : b) as Fen;
}

/** a − b, or zero when b exceeds a: used where the rule itself says "what remains, never below zero". */
export function remaining(a: Fen, b: Fen): Fen {
  return (a > b ? a - b : 0) as Fen;
}
