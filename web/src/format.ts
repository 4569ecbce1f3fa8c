/** Dates and times as people in China read them: Beijing time, 2026年12月8日, 12月8日 14:30. */
const TZ = 'Asia/Shanghai';

export function formatDate(value: string | null | undefined): string {
  if (!value) return '';
  const d = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00+08:00`) : new Date(value);
  return d.toLocaleDateString('zh-CN', { timeZone: TZ, year: 'numeric', month: 'long', day: 'numeric' });
}

export function formatDateTime(value: string | null | undefined): string {
  if (!value) return '';
  return new Date(value).toLocaleString('zh-CN', {
    timeZone: TZ,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  });
}

/** Today in Beijing as YYYY-MM-DD. */
export function todayCst(): string {
  return new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
}

/** "还剩 2天3小时" / "已超时 5小时": the time left until `due`, from `now`. */
export function countdown(due: string, now: number): { text: string; level: 'ok' | 'soon' | 'overdue' } {
  const ms = Date.parse(due) - now;
  const abs = Math.abs(ms);
  const days = Math.floor(abs / 86_400_000);
  const hours = Math.floor((abs % 86_400_000) / 3_600_000);
  const minutes = Math.floor((abs % 3_600_000) / 60_000);
  const span = days > 0 ? `${days}天${hours}小时` : hours > 0 ? `${hours}小时${minutes}分` : `${minutes}分钟`;
  if (ms < 0) return { text: `已超时 ${span}`, level: 'overdue' };
  return { text: `还剩 ${span}`, level: ms < 24 * 3_600_000 ? 'soon' : 'ok' };
}
