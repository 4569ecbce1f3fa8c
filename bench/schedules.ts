// Schedule spec benchmark: `npx tsx bench/schedules.ts` (or `npm run bench schedules`). How fast the
// devserver finds next action times (Describe lists ten, each wake-up takes one), against one ICU
// time-zone conversion (`formatToParts`) measured in the same run. Pure CPU, a few seconds.
import Long from 'long';
import { compileSpec, nextTime } from '../devserver/engine/schedule-spec';

const BUDGET_MS = 700;

/** Calls per second of `fn`, run for about BUDGET_MS after a short warm-up. */
function perSecond(fn: (i: number) => unknown): number {
  for (let i = 0; i < 200; i++) fn(i);
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < BUDGET_MS) {
    for (let k = 0; k < 50; k++) fn(n++);
  }
  return n / ((performance.now() - start) / 1000);
}

const DAY = 86_400_000;
const from = Date.UTC(2027, 0, 1);
const fmt = new Intl.DateTimeFormat('en-US', {
  timeZone: 'Asia/Shanghai',
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
});
// Distinct instants, so no cache helps the baseline.
const baseline = perSecond((i) => fmt.formatToParts(new Date(from + i * 7919_000)));

const cases: [string, Parameters<typeof compileSpec>[0]][] = [
  [
    'monthly 02:00 Asia/Shanghai (calendar)',
    { calendar: [{ dayOfMonth: '1', hour: '2' }], timezoneName: 'Asia/Shanghai' },
  ],
  [
    'every 15 min America/New_York (cron, DST)',
    { cronString: ['*/15 * * * *'], timezoneName: 'America/New_York' },
  ],
  [
    'weekdays 09:30 UTC, holidays skipped',
    {
      calendar: [{ dayOfWeek: 'MON-FRI', hour: '9', minute: '30' }],
      excludeCalendar: [{ month: '10', dayOfMonth: '1-7', hour: '9', minute: '30' }],
    },
  ],
  [
    'every hour, 19 min phase (interval)',
    {
      interval: [{ interval: { seconds: Long.fromNumber(3600) }, phase: { seconds: Long.fromNumber(1140) } }],
    },
  ],
];

console.log(`baseline: ${Math.round(baseline).toLocaleString('en-US')} ICU formatToParts/s`);
for (const [name, proto] of cases) {
  const spec = compileSpec(proto);
  // Spread the starting points over ten years so the zone's offset cache is not the only thing measured.
  const rate = perSecond((i) => nextTime(spec, 'bench', from + ((i * 104_729_000) % (3650 * DAY))));
  console.log(
    `${name}: ${Math.round(rate).toLocaleString('en-US')} next times/s = ${(rate / baseline).toFixed(2)}× formatToParts`,
  );
}
