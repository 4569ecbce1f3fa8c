import { z } from 'zod';

/** 运行监测 query (routes.md): a span of whole months, Beijing time, for api/coordination/monitoring.ts. */

/** The longest span one request may cover: two years of months. */
export const MONITORING_MAX_MONTHS = 24;

const MONTH_SHAPE = /^(\d{4})-(\d{2})$/;

/** A real month `YYYY-MM` (01–12, a plausible year as the dates take it). */
const month = z
  .string()
  .regex(MONTH_SHAPE, { error: '月份格式应为 YYYY-MM，例如 2026-12', abort: true })
  .refine(
    (v) => {
      const [y, m] = v.split('-').map(Number) as [number, number];
      return y >= 1900 && y <= 2199 && m >= 1 && m <= 12;
    },
    { error: '这个月份不存在，请填写真实的月份（01–12）', abort: true },
  );

/** Months from `from` to `to`, both included (`2026-01`..`2026-03` → 3). */
export function monthSpan(from: string, to: string): number {
  const [fy, fm] = from.split('-').map(Number) as [number, number];
  const [ty, tm] = to.split('-').map(Number) as [number, number];
  return (ty - fy) * 12 + (tm - fm) + 1;
}

export const MonitoringQuery = z.object({ from: month, to: month }).superRefine((q, ctx) => {
  const n = monthSpan(q.from, q.to);
  if (n < 1) ctx.addIssue({ code: 'custom', path: ['to'], message: '结束月份不能早于起始月份' });
  else if (n > MONITORING_MAX_MONTHS)
    ctx.addIssue({
      code: 'custom',
      path: ['to'],
      message: `一次最多统计 ${MONITORING_MAX_MONTHS} 个月，请缩短统计区间`,
    });
});
