/**
 * Geometry of the small SVG bar charts (the month's clearing lines, the monitoring dashboard): bar
 * heights and positions in view-box units, a "nice" axis maximum, and a target line. Geometry only:
 * the amounts shown in labels are formatted from the fen themselves, never from these numbers.
 */

export interface Series {
  key: string;
  label: string;
  color: string;
}

export interface BarGroupInput {
  label: string;
  /** One value per series (fen, counts …), non-negative. */
  values: number[];
}

export interface Bar {
  series: number;
  value: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ChartGeometry {
  width: number;
  height: number;
  /** The top of the value axis (≥ every value), and its ticks from 0. */
  max: number;
  ticks: { value: number; y: number }[];
  groups: { label: string; x: number; center: number; bars: Bar[] }[];
}

export const PLOT = { width: 600, height: 220, left: 56, right: 8, top: 10, bottom: 30 };

/** The smallest 1, 2 or 5 × 10ⁿ at or above `value` (1 for nothing to show). */
export function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

/** Grouped bars: one group per input, one bar per series side by side, from the plot's bottom up. */
export function barChart(
  groups: BarGroupInput[],
  options: { ticks?: number; max?: number } = {},
): ChartGeometry {
  const max0 = options.max ?? niceMax(Math.max(0, ...groups.flatMap((g) => g.values)));
  // Ticks on round steps: 2×10ⁿ in quarters, 1×10ⁿ and 5×10ⁿ in fifths.
  const tickCount = options.ticks ?? (String(max0)[0] === '2' ? 4 : 5);
  const { width, height, left, right, top, bottom } = PLOT;
  const plotWidth = width - left - right;
  const plotHeight = height - top - bottom;
  const max = max0;
  const y = (value: number) => top + plotHeight - (Math.max(0, value) / max) * plotHeight;
  const slot = groups.length ? plotWidth / groups.length : plotWidth;
  const series = Math.max(1, ...groups.map((g) => g.values.length));
  const barWidth = (slot * 0.7) / series;
  return {
    width,
    height,
    max,
    ticks: Array.from({ length: tickCount + 1 }, (_, i) => {
      const value = (max * i) / tickCount;
      return { value, y: y(value) };
    }),
    groups: groups.map((g, gi) => {
      const x = left + gi * slot;
      const start = x + slot * 0.15;
      return {
        label: g.label,
        x,
        center: x + slot / 2,
        bars: g.values.map((value, si) => ({
          series: si,
          value,
          x: start + si * barWidth,
          y: y(value),
          width: Math.max(0, barWidth - 2),
          height: top + plotHeight - y(value),
        })),
      };
    }),
  };
}

/** The y of a ratio target (ppm of the axis maximum 1 000 000), e.g. the 70% direct-settlement target. */
export function targetY(ppm: number): number {
  const { height, top, bottom } = PLOT;
  const plotHeight = height - top - bottom;
  return top + plotHeight - (Math.min(1_000_000, Math.max(0, ppm)) / 1_000_000) * plotHeight;
}

/** An axis value as a short label: 1.2万, 350万, 2亿 (for fen, pass yuan = fen / 100 — display only). */
export function shortNumber(value: number): string {
  const abs = Math.abs(value);
  const trim = (n: number) => String(Number(n.toFixed(1)));
  if (abs >= 1e8) return `${trim(value / 1e8)}亿`;
  if (abs >= 1e4) return `${trim(value / 1e4)}万`;
  return trim(value);
}
