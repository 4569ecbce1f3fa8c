/**
 * The counter's fee form: quantity × unit price as the HIS computes it, exactly. A quantity and a price
 * carry up to four decimals (the national interface), the line amount is rounded half up to the fen.
 * BigInt on decimal strings: no float ever touches an amount.
 */

const DECIMAL = /^(\d{1,9})(?:\.(\d{1,4}))?$/;

/** "12.3456" → 123456n (ten-thousandths); null when it is not a non-negative number with ≤ 4 decimals. */
export function e4Of(text: string): bigint | null {
  const m = DECIMAL.exec(text.trim());
  if (!m) return null;
  return BigInt(m[1] ?? '0') * 10_000n + BigInt((m[2] ?? '').padEnd(4, '0'));
}

/** cnt × pric in yuan with two decimals ("240.00"), or null when either is not a valid number. */
export function lineAmount(cnt: string, pric: string): string | null {
  const c = e4Of(cnt);
  const p = e4Of(pric);
  if (c === null || p === null) return null;
  // c·p is in 10^-8 yuan; the fen is 10^-2: divide by 10^6, half up.
  const fen = (c * p + 500_000n) / 1_000_000n;
  return `${fen / 100n}.${String(fen % 100n).padStart(2, '0')}`;
}
