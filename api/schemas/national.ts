import { z } from 'zod';
import { type Fen, formatYuan } from '../../settlement';
import { isCalendarDate, text } from './primitives';

/**
 * The national interface's value forms, as real HIS clients send them, parsed exactly: amounts and
 * quantities as JSON numbers or strings ("1999.5", 240.00) into integers (fen, ten-thousandths) by
 * their decimal digits, never through floating-point arithmetic; times `yyyy-MM-dd HH:mm:ss` in China
 * Standard Time into ISO instants; flags "0"/"1". And back: amounts with two decimals, times in CST.
 */

const DECIMAL = /^(\d{1,13})(?:\.(\d+))?$/;
const CST_OFFSET_MS = 8 * 3600 * 1000;

export type Parsed = { ok: true; value: number } | { ok: false; message: string };

/**
 * `"12.3456"` or 12.3456 → 123456 at scale 4. A JSON number is read by its shortest decimal form
 * (`String(240.00)` is "240", `String(1999.5)` "1999.5"), which is exactly the digits the HIS wrote.
 * Zeros past the scale are accepted ("12.3400" at scale 2); other digits there are not.
 */
export function parseDecimal(input: unknown, scale: number, maxIntDigits: number): Parsed {
  let raw: string;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return { ok: false, message: '应为数字' };
    raw = String(input);
  } else if (typeof input === 'string') raw = input.trim();
  else return { ok: false, message: '应为数字或数字字符串，例如 "1999.50"' };
  if (raw.startsWith('-')) return { ok: false, message: `不能为负数（收到 ${raw.slice(0, 20)}）` };
  const match = DECIMAL.exec(raw);
  if (!match) return { ok: false, message: `"${raw.slice(0, 20)}" 不是数字，请写成例如 "1999.50"` };
  const int = (match[1] as string).replace(/^0+(?=\d)/, '');
  const frac = (match[2] ?? '').replace(/0+$/, '');
  if (frac.length > scale) return { ok: false, message: `最多 ${scale} 位小数（收到 ${raw.slice(0, 24)}）` };
  if (int.length > maxIntDigits) return { ok: false, message: `数值过大（收到 ${raw.slice(0, 24)}）` };
  return { ok: true, value: Number(int + frac.padEnd(scale, '0')) };
}

function decimal(scale: number, maxIntDigits: number, example: string) {
  return z
    .union([z.string(), z.number()], { error: `应为数字或数字字符串，例如 ${example}` })
    .transform((v, ctx) => {
      const parsed = parseDecimal(v, scale, maxIntDigits);
      if (parsed.ok) return parsed.value;
      ctx.addIssue({ code: 'custom', message: parsed.message });
      return z.NEVER;
    });
}

/** An amount in yuan → integer fen (at most 2 decimals; up to 10^11 yuan, the core's MAX_FEN). */
export const amount = decimal(2, 11, '"1999.50" 或 240.00');
/** A quantity or unit price → ten-thousandths (at most 4 decimals, as the national interface allows). */
export const e4 = decimal(4, 9, '"1.5" 或 12.3456');

const TIME = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2}))?$/;

/** `yyyy-MM-dd HH:mm:ss` (or a bare date, at 00:00:00) in Asia/Shanghai → the ISO instant; null if it is not one. */
export function cstToIso(value: string): string | null {
  const match = TIME.exec(value.trim());
  if (!match || !isCalendarDate(match[1] as string)) return null;
  const [h, m, s] = [Number(match[2] ?? 0), Number(match[3] ?? 0), Number(match[4] ?? 0)];
  if (h > 23 || m > 59 || s > 59) return null;
  const [y, mo, d] = (match[1] as string).split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, mo - 1, d, h, m, s) - CST_OFFSET_MS).toISOString();
}

/** An ISO instant → `yyyy-MM-dd HH:mm:ss` in Asia/Shanghai, as the national interface writes times. */
export function isoToCst(iso: string | Date): string {
  const ms = typeof iso === 'string' ? Date.parse(iso) : iso.getTime();
  return new Date(ms + CST_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/** A time as the HIS writes it → ISO instant. */
export const cstTime = z.string().transform((v, ctx) => {
  const iso = cstToIso(v);
  if (iso) return iso;
  ctx.addIssue({
    code: 'custom',
    message: `"${v.slice(0, 30)}" 不是有效时间，请按 yyyy-MM-dd HH:mm:ss 填写`,
  });
  return z.NEVER;
});

/** "1"/"0", 1/0 or true/false → boolean; absent or "" → false. */
export const flag = z
  .union([z.enum(['0', '1', '']), z.literal(0), z.literal(1), z.boolean(), z.null()], {
    error: '应为 "0" 或 "1"',
  })
  .optional()
  .transform((v) => v === '1' || v === 1 || v === true);

/** Optional text a HIS fills with "" or null when it has nothing: → null. */
export function optText(max: number) {
  return z
    .union([text({ max }), z.number().transform(String), z.null()])
    .optional()
    .transform((v) => (v === undefined || v === null || v.trim() === '' ? null : v));
}

/** A code the HIS may send as a number (`"21"` or 21). */
export function code(pattern: RegExp, message: string) {
  return z.union([z.string(), z.number().transform(String)]).pipe(z.string().regex(pattern, message));
}

/** Fen → "1234.50"; a reversal's negated amounts → "-1234.50". */
export function yuan(amount: number): string {
  return amount < 0 ? `-${formatYuan(-amount as Fen)}` : formatYuan(amount as Fen);
}

/** Ten-thousandths → "1.5000": quantities and prices with the four decimals the interface allows. */
export function e4String(value: number): string {
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  return `${sign}${Math.floor(abs / 10_000)}.${String(abs % 10_000).padStart(4, '0')}`;
}

/**
 * cnt × pric rounded half up to the fen, exactly (BigInt): ten-thousandths × ten-thousandths is
 * 10^-8 yuan, so 10^6 of them make a fen.
 */
export function lineAmount(cnt_e4: number, pric_e4: number): number {
  return Number((BigInt(cnt_e4) * BigInt(pric_e4) + 500_000n) / 1_000_000n);
}
