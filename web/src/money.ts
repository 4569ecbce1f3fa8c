/**
 * Money on screen without floats (the house rule): amounts are integer fen, the national answers carry
 * yuan as decimal strings ("1999.50"); both are converted by string and integer arithmetic only.
 */

/** ¥12,345.60 from 1234560 fen. */
export function yuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const whole = Math.trunc(abs / 100).toLocaleString('zh-CN');
  return `${sign}¥${whole}.${String(abs % 100).padStart(2, '0')}`;
}

const YUAN = /^(-)?(\d+)(?:\.(\d{1,2})\d*)?$/;

/** Fen from a national yuan amount ("1999.5", 240, "0.00"); null when it is not an amount. Extra decimals are cut, as the answers carry two. */
export function fenOf(amount: string | number | null | undefined): number | null {
  if (amount === null || amount === undefined) return null;
  const m = YUAN.exec(String(amount).trim());
  if (!m) return null;
  const fen = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -fen : fen;
}

/** Ratios: ppm (0..1 000 000) in the read views, decimal strings ("0.10") in the national answers. */
export function percentOf(ratio: number | string | null | undefined): string {
  if (ratio === null || ratio === undefined || ratio === '') return '—';
  const ppm = typeof ratio === 'number' ? ratio : ppmOf(ratio);
  if (ppm === null) return String(ratio);
  const whole = Math.trunc(ppm / 10_000);
  const rest = String(ppm % 10_000)
    .padStart(4, '0')
    .replace(/0+$/, '');
  return `${whole}${rest ? `.${rest}` : ''}%`;
}

function ppmOf(text: string): number | null {
  const m = /^(\d)(?:\.(\d{1,6}))?$/.exec(text.trim());
  return m ? Number(m[1]) * 1_000_000 + Number((m[2] ?? '').padEnd(6, '0')) : null;
}

/** Parts per thousand of a whole, for drawing (geometry, never money): 0 when the whole is 0. */
export function shareOf(part: number, whole: number): number {
  return whole > 0 ? Math.round((part * 1000) / whole) / 10 : 0;
}
