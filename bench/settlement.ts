// Settlement core throughput: claims/s for 10-line and 200-line stays on one core, against a bare
// loop summing the same lines (the floor), measured in the same run. Bounded: about 15 s in all.
// Run: npx tsx bench/settlement.ts
import { type ClaimContext, calculate, settle, ZERO_ACCUMULATORS } from '../settlement/calculate';
import { type CatalogueEntry, catalogue, type FeeLine } from '../settlement/catalogue';
import { classify } from '../settlement/classify';
import { DEMO_POLICIES } from '../settlement/fixtures';
import { fen } from '../settlement/money';
import type { Policy } from '../settlement/policy';
import { validatePolicy } from '../settlement/policy-validate';
import { ratio } from '../settlement/ratio';

const SECONDS = Number(process.env.BENCH_SECONDS ?? '1.5');

// A deterministic pseudo-random sequence, so every run measures the same stays.
let seed = 20_240_101;
function rnd(n: number): number {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed % n;
}

const CODES = 2_000;
const entries: CatalogueEntry[] = [];
for (let i = 0; i < CODES; i++) {
  const lv = i % 10 < 6 ? '01' : i % 10 < 9 ? '02' : '03';
  entries.push({
    med_list_codg: `C${String(i).padStart(6, '0')}`,
    chrgitm_lv: lv,
    selfpay_prop: ratio(lv === '02' ? 100_000 + (i % 3) * 50_000 : 0),
    pric_uplmt_amt: i % 7 === 0 ? fen(5_000 + (i % 13) * 1_000) : null,
  });
}
const cat = catalogue('510100', entries, 'self_pay');

function stay(lines: number): FeeLine[] {
  const out: FeeLine[] = [];
  for (let i = 0; i < lines; i++) {
    out.push({
      feedetl_sn: String(i + 1),
      med_list_codg: rnd(50) === 0 ? 'UNLISTED' : `C${String(rnd(CODES)).padStart(6, '0')}`,
      det_item_fee_sumamt: fen(100 + rnd(2_000_000)),
      cnt_e4: (1 + rnd(5)) * 10_000,
    });
  }
  return out;
}

const POOL = 1_024; // distinct stays per size, cycled
const stays10 = Array.from({ length: POOL }, () => stay(10));
const stays200 = Array.from({ length: POOL }, () => stay(200));

function policy(id: string): Policy {
  const r = validatePolicy(DEMO_POLICIES.find((d) => d.policy_id === id));
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
}
// The richest demo policy (deductible, multiplier for travellers, 大额, civil-servant subsidy, account)
// and a banded one (Xuzhou).
const hefei = policy('340100-310-21-L3-I');
const xuzhou = policy('320300-310-21-L3-I');
const claim: ClaimContext = {
  psn_no: 'P',
  insutype: '310',
  psn_type: 'in_service',
  med_type: '21',
  filing_type: 'referral',
  cvlserv_flag: true,
  maf_eligible: false,
};
const accumulators = { ...ZERO_ACCUMULATORS, acct_balc: fen(200_000) };

let sink = 0;

/**
 * Runs fn over the pool for about SECONDS of this process's CPU time after a warm-up; returns calls
 * per CPU-second. CPU time rather than wall time: the machine is shared, and a loaded neighbour would
 * otherwise show up as our slowness (the floor is measured the same way, so ratios hold either way).
 */
function measure(fn: (i: number) => number): number {
  for (let i = 0; i < 20_000; i++) sink += fn(i & (POOL - 1));
  let calls = 0;
  const start = process.cpuUsage();
  const limit = SECONDS * 1e6;
  let used = 0;
  while (used < limit) {
    for (let i = 0; i < 1_000; i++) sink += fn((calls + i) & (POOL - 1));
    calls += 1_000;
    const u = process.cpuUsage(start);
    used = u.user + u.system;
  }
  return calls / (used / 1e6);
}

function bareLoop(stays: FeeLine[][]) {
  return (i: number): number => {
    const lines = stays[i]!;
    let sum = 0;
    for (let j = 0; j < lines.length; j++) sum += lines[j]!.det_item_fee_sumamt;
    return sum;
  };
}

function fullSettle(stays: FeeLine[][], p: Policy) {
  return (i: number): number => {
    const r = settle({ claim, lines: stays[i]!, catalogue: cat, policy: p, accumulators });
    return r.ok ? r.value.setlinfo.psn_part_amt : -1;
  };
}

function classifyOnly(stays: FeeLine[][]) {
  return (i: number): number => {
    const r = classify(stays[i]!, cat);
    return r.ok ? r.value.inscp_scp_amt : -1;
  };
}

const t10 = classify(stays10[0]!, cat);
function calculateOnly(p: Policy) {
  if (!t10.ok) throw new Error('classify failed');
  const t = t10.value;
  return (_i: number): number => {
    const r = calculate(t, claim, p, accumulators);
    return r.ok ? r.value.setlinfo.psn_part_amt : -1;
  };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US').padStart(12);

console.log(`settlement core benchmark — node ${process.version}, one core, ~${SECONDS} CPU-s per row`);
const rows: [string, number, number][] = [];
for (const [label, stays] of [
  ['10-line', stays10],
  ['200-line', stays200],
] as const) {
  const floor = measure(bareLoop(stays));
  const full = measure(fullSettle(stays, hefei));
  const banded = measure(fullSettle(stays, xuzhou));
  const cls = measure(classifyOnly(stays));
  rows.push([`${label} bare loop (floor)`, floor, 1]);
  rows.push([`${label} settle, Hefei policy`, full, floor / full]);
  rows.push([`${label} settle, Xuzhou bands`, banded, floor / banded]);
  rows.push([`${label} classify only`, cls, floor / cls]);
}
const calc = measure(calculateOnly(hefei));
rows.push(['calculate + explain only', calc, Number.NaN]);

console.log(`${'case'.padEnd(34)}${'per CPU-s'.padStart(12)}   × slower than the floor`);
for (const [label, perSec, ratio_] of rows) {
  console.log(`${label.padEnd(34)}${fmt(perSec)}   ${Number.isNaN(ratio_) ? '' : ratio_.toFixed(1)}`);
}
const target = rows[1]![1];
console.log(
  `target ≥ 100,000 10-line settlements/s: ${target >= 100_000 ? 'met' : 'NOT met'} (${fmt(target).trim()}/s)`,
);
if (sink === 42) console.log('');
