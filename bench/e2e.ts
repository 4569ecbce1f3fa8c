// End-to-end benchmark: `npm run bench e2e`. The embedded stack in one process (embedded PostgreSQL,
// the compiled devserver in-process and durable as `npm start` runs it, the real worker, the API app on
// a loopback port); 20 "hospitals" send hospitalization cases through the national envelope
// (2401 → 2301 with 20 fee lines → 2402 → 2304), each hospital one case at a time. Measured in the same
// run: the workflow floor (only the mandated shape, bench/support/floor-workflows.ts, from a client on
// the worker's connection: no HTTP, no DB), the same workflows on no-op activities
// (bench/support/noop-activities.ts) as the baseline, and the settlement core alone on the same 20
// lines. Bounded (~2.5 minutes); stops by itself.
import fs from 'node:fs';
import type { Server } from 'node:http';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import {
  bundleWorkflowCode,
  DefaultLogger,
  makeTelemetryFilterString,
  NativeConnection,
  Runtime,
  Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { Client as PgClient } from 'pg';
import { createActivities } from '../activities';
import { createApp } from '../api/app';
import { signToken } from '../api/auth/tokens';
import type { Dependency } from '../api/health';
import { cstDate } from '../cases';
import { DEFAULT_DATABASE_POOL, DEFAULT_WORKFLOW_THREADS } from '../config';
import { loadCatalogue } from '../db/catalogue';
import { EmbeddedPostgres } from '../db/embedded-postgres';
import { migrate, type Orm, openOrm } from '../db/orm';
import { loadPolicy } from '../db/policies';
import { seedReferenceData } from '../db/seed';
import { compiledDevServer } from '../devserver/compiled';
import { type Fen, settle } from '../settlement';
import { ZERO_ACCUMULATORS } from '../settlement/calculate';
import { freePort } from '../test/support/ports';
import {
  type FloorActivities,
  floorAdmitUpdate,
  floorDischargeUpdate,
  floorFeesUpdate,
  floorSettleUpdate,
  floorStayWorkflow,
} from './support/floor-workflows';
import { noopActivities } from './support/noop-activities';

const HOSPITALS = 20;
const LINES = 20;
/** Measured seconds per variant (after a warm-up of one case per hospital); at most MAX_CASES cases. */
const SECONDS = Number(process.env.BENCH_SECONDS ?? '25');
const MAX_CASES = Number(process.env.BENCH_CASES ?? '3000');
const TARGET_CASES_PER_S = 50;
const TARGET_P99_2304_MS = 200;
const TARGET_OUR_SHARE = 0.5;
const TOKEN_SECRET = 'bench-secret';
const TREATMENT_PLACE = '510100'; // 成都: the fixture catalogue's place
const INSURED_PLACE = '340100'; // 合肥: the richest demo policy
const PERSONS_PER_HOSPITAL = 150;

const ROOT = path.resolve(__dirname, '..');
const up: Dependency = { describe: () => ({ kind: 'bench' }), ping: async () => undefined };

// ── the national messages a HIS sends ────────────────────────────────────────────────────────────

interface Hospital {
  fixmedins_code: string;
  fixmedins_name: string;
  auth: string;
  persons: string[];
}

/** `yyyy-MM-dd HH:mm:ss` in China time, as HIS clients send times. */
function cstTime(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().replace('T', ' ').slice(0, 19);
}

/** The fixture catalogue's codes, a few lines outside it (全自费 with a reason); yuan prices. */
const ITEMS: [code: string, cnt: string, pric: string][] = [
  ['BED001', '3', '80.00'],
  ['SUR001', '1', '3200.50'],
  ['DRG001', '6', '15.2500'],
  ['DRG002', '2', '1200.00'],
  ['MAT001', '1', '860.00'],
  ['XXX901', '1', '35.00'],
];

function feeLines(mdtrt_id: string, psn_no: string, at: number): Record<string, unknown>[] {
  return Array.from({ length: LINES }, (_, i) => {
    const [code, cnt, pric] = ITEMS[i % ITEMS.length]!;
    const fen = Math.round(Number(cnt) * Number(pric) * 100);
    return {
      feedetl_sn: String(i + 1).padStart(4, '0'),
      mdtrt_id,
      psn_no,
      drord_no: `RX${i + 1}`,
      fee_ocur_time: cstTime(at + i * 60_000),
      med_list_codg: code,
      medins_list_codg: `H-${code}`,
      medins_list_name: `院内项目 ${code}`,
      det_item_fee_sumamt: (fen / 100).toFixed(2),
      cnt,
      pric,
      bilg_dept_codg: 'A03',
      bilg_dr_codg: 'D001',
    };
  });
}

let msgSerial = 0;
/** Round trips per infno in the current variant (printed per transaction). */
const byInfno = new Map<string, number[]>();
async function send(
  base: string,
  h: Hospital,
  infno: string,
  input: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  msgSerial += 1;
  const body = {
    infno,
    msgid: `${h.fixmedins_code}${Date.now()}${String(msgSerial).padStart(6, '0')}`,
    mdtrtarea_admvs: TREATMENT_PLACE,
    insuplc_admdvs: INSURED_PLACE,
    recer_sys_code: 'YIDI',
    dev_no: '',
    dev_safe_info: '',
    cainfo: '',
    signtype: '',
    infver: 'V1.0',
    opter_type: '1',
    opter: 'HIS001',
    opter_name: '收费员',
    inf_time: cstTime(Date.now()),
    fixmedins_code: h.fixmedins_code,
    fixmedins_name: h.fixmedins_name,
    sign_no: '',
    input,
  };
  const t0 = performance.now();
  const res = await fetch(`${base}/api/v1/hospital/transactions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${h.auth}` },
    body: JSON.stringify(body),
  });
  const answer = (await res.json()) as { infcode: number; err_msg: string; output: Record<string, unknown> };
  const spent = byInfno.get(infno) ?? [];
  spent.push(performance.now() - t0);
  byInfno.set(infno, spent);
  if (res.status !== 200 || answer.infcode !== 0) {
    throw new Error(
      `${infno} for ${h.fixmedins_code}: HTTP ${res.status} infcode ${answer.infcode} ${answer.err_msg}`,
    );
  }
  return answer.output;
}

let iptSerial = 0;
/** One case from admission to settled; returns the 2304 round trip in ms. */
async function oneCase(base: string, h: Hospital, psn_no: string): Promise<number> {
  const now = Date.now();
  const admitted = now - 3 * 86_400_000;
  iptSerial += 1;
  const out2401 = await send(base, h, '2401', {
    mdtrtinfo: {
      psn_no,
      insutype: '310',
      mdtrt_cert_type: '02',
      mdtrt_cert_no: psn_no,
      med_type: '21',
      ipt_otp_no: `ZY${iptSerial}`,
      begntime: cstTime(admitted),
      adm_dept_codg: 'A03',
      adm_dept_name: '普外科',
      chfpdr_name: '王医生',
      adm_diag_dscr: '胆囊结石',
    },
    diseinfo: [
      { diag_type: '1', diag_srt_no: 1, diag_code: 'K80.2', diag_name: '胆囊结石', maindiag_flag: '1' },
    ],
  });
  const mdtrt_id = String((out2401.result as { mdtrt_id?: string } | undefined)?.mdtrt_id ?? '');
  if (!mdtrt_id) throw new Error(`2401 answered no mdtrt_id: ${JSON.stringify(out2401)}`);
  const out2301 = await send(base, h, '2301', {
    feedetail: feeLines(mdtrt_id, psn_no, admitted + 3_600_000),
  });
  if ((out2301.result as unknown[]).length !== LINES) throw new Error('2301 did not classify every line');
  await send(base, h, '2402', {
    dscginfo: { mdtrt_id, psn_no, endtime: cstTime(now), dise_codg: 'K80.2', dise_name: '胆囊结石' },
    diseinfo: [],
  });
  const t = performance.now();
  const out2304 = await send(base, h, '2304', {
    data: { mdtrt_id, psn_no, acct_used_flag: '0', mid_setl_flag: '0', medfee_sumamt: '0.0' },
  });
  const ms = performance.now() - t;
  if (!(out2304.setlinfo as { setl_id?: string } | undefined)?.setl_id) {
    throw new Error(`2304 answered no setl_id: ${JSON.stringify(out2304).slice(0, 300)}`);
  }
  return ms;
}

// ── CPU of this process and of PostgreSQL ────────────────────────────────────────────────────────

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** CPU ms of the postmaster and every backend, the exited ones included (reaped into cutime/cstime). */
function postgresCpuMs(postmaster: number): number {
  const stat = (pid: number | string) => {
    try {
      // Fields after the command's closing paren: state ppid … utime(14) stime(15) cutime(16) cstime(17).
      const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      return s.slice(s.lastIndexOf(')') + 2).split(' ');
    } catch {
      return undefined;
    }
  };
  const own = stat(postmaster);
  if (!own) return 0;
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const s = stat(pid);
    if (s && Number(s[1]) === postmaster) ticks += Number(s[11]) + Number(s[12]);
  }
  return ticks * TICK_MS;
}

/** CPU ms of this process's main thread (API, devserver, activities, the HIS client, the worker's JS side). */
function mainThreadCpuMs(): number {
  const s = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * TICK_MS;
}

function nodeCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

// ── one variant: a worker with these activities, the API on its task queue, 20 hospitals ──────────

interface Variant {
  cases: number;
  seconds: number;
  casesPerS: number;
  /** 2304 with nothing else running (one hospital, median of 5). */
  aloneP50: number;
  p50: number;
  p99: number;
  nodeCpuPerCase: number;
  mainCpuPerCase: number;
  pgCpuPerCase: number;
  activityMsPerCase: number;
  activityCalls: number;
  /** SQL statements sent per case, the edge's and the activities' (BEGIN/COMMIT included). */
  queriesPerCase: number;
  /** p50 round trip per transaction, "2401 12, 2301 30, …" (ms). */
  perInfno: string;
}

/** Wraps each activity to add its wall time to `spent` (its awaited DB work included). */
function timed<T extends Record<string, (...args: never[]) => Promise<unknown>>>(
  activities: T,
  spent: { ms: number; calls: number },
): T {
  return Object.fromEntries(
    Object.entries(activities).map(([name, fn]) => [
      name,
      async (...args: never[]) => {
        const t = performance.now();
        try {
          return await fn(...args);
        } finally {
          spent.ms += performance.now() - t;
          spent.calls += 1;
        }
      },
    ]),
  ) as T;
}

/**
 * BENCH_PROFILE=<dir>: a CPU profile of this process's main thread (API, devserver, activities) over
 * each variant's measured window, written as <dir>/e2e-<variant>.cpuprofile (open in Chrome DevTools).
 */
async function startProfile(name: string): Promise<() => Promise<void>> {
  const dir = process.env.BENCH_PROFILE;
  if (!dir) return async () => undefined;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `e2e-${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** BENCH_SQL=1: the statements of the unloaded cases, per case, by text (bindings apart). */
function printStatements(variant: string, log: string[], cases: number): void {
  const byText = new Map<string, number>();
  for (const sql of log) byText.set(sql, (byText.get(sql) ?? 0) + 1);
  console.error(`SQL per case, ${variant} (${log.length / cases} statements):`);
  for (const [sql, n] of [...byText].sort((a, b) => b[1] - a[1]))
    console.error(`  ${(n / cases).toFixed(1).padStart(5)}  ${sql.replace(/\s+/g, ' ').slice(0, 220)}`);
}

/** The measured window of one variant: `oneCase` per hospital, one at a time each, after a warm-up. */
async function measure(
  name: string,
  stack: Stack,
  spent: { ms: number; calls: number },
  oneCase: (h: Hospital, psn_no: string) => Promise<number>,
  hospitals: Hospital[],
): Promise<Variant> {
  // Warm-up: one case per hospital (JIT, sticky caches, pool connections).
  await Promise.all(hospitals.map((h) => oneCase(h, h.persons.shift()!)));
  // Unloaded: one hospital, one case at a time — what a 2304 costs without queueing behind others.
  const alone: number[] = [];
  if (process.env.BENCH_SQL) stack.queries.log = [];
  for (let i = 0; i < 5; i++) alone.push(await oneCase(hospitals[0]!, hospitals[0]!.persons.shift()!));
  alone.sort((a, b) => a - b);
  if (stack.queries.log) printStatements(name, stack.queries.log, alone.length);
  stack.queries.log = undefined;
  const latencies: number[] = [];
  byInfno.clear();
  spent.ms = 0;
  spent.calls = 0;
  const queries0 = stack.queries.n;
  const cpu0 = nodeCpuMs();
  const main0 = mainThreadCpuMs();
  const pg0 = postgresCpuMs(stack.postmaster);
  const profile = await startProfile(name);
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  let begun = 0;
  await Promise.all(
    hospitals.map(async (h) => {
      while (performance.now() < deadline && begun < MAX_CASES) {
        const psn = h.persons.shift();
        if (!psn) throw new Error(`hospital ${h.fixmedins_code} ran out of bench persons`);
        begun += 1;
        latencies.push(await oneCase(h, psn));
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await profile();
  const cases = latencies.length;
  latencies.sort((a, b) => a - b);
  return {
    cases,
    seconds,
    casesPerS: cases / seconds,
    aloneP50: percentile(alone, 50),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    nodeCpuPerCase: (nodeCpuMs() - cpu0) / cases,
    mainCpuPerCase: (mainThreadCpuMs() - main0) / cases,
    pgCpuPerCase: (postgresCpuMs(stack.postmaster) - pg0) / cases,
    activityMsPerCase: spent.ms / cases,
    activityCalls: spent.calls / cases,
    queriesPerCase: (stack.queries.n - queries0) / cases,
    perInfno: [...byInfno]
      .map(
        ([infno, ms]) =>
          `${infno} ${percentile(
            ms.sort((a, b) => a - b),
            50,
          ).toFixed(0)}`,
      )
      .join(', '),
  };
}

/** The real API on a loopback port in front of a worker with these activities on the production bundle. */
async function runVariant(
  name: string,
  stack: Stack,
  activities: Record<string, (...args: never[]) => Promise<unknown>>,
  hospitals: Hospital[],
  workflowThreads = DEFAULT_WORKFLOW_THREADS,
): Promise<Variant> {
  const taskQueue = `e2e-${name}`;
  const spent = { ms: 0, calls: 0 };
  // The platform's worker settings (bin/platform.ts): only the thread count varies between variants.
  const worker = await Worker.create({
    connection: stack.native,
    taskQueue,
    workflowBundle: stack.bundle,
    activities: timed(activities, spent),
    workflowThreadPoolSize: workflowThreads,
  });
  const app = createApp({
    log: (m) => console.error(`api: ${m}`),
    database: up,
    temporal: up,
    cases: { orm: stack.orm, temporal: stack.client, taskQueue, tokenSecret: TOKEN_SECRET },
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  try {
    return await worker.runUntil(() =>
      measure(name, stack, spent, (h, psn) => oneCase(base, h, psn), hospitals),
    );
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

/**
 * The workflow floor: the mandated shape alone (bench/support/floor-workflows.ts) driven by a client on
 * the worker's own native connection — no HTTP, no API, no database: the SDK and devserver by themselves.
 * Each update carries the body the national message would (the 20 fee lines on the fees update).
 */
async function runFloor(stack: Stack, hospitals: Hospital[]): Promise<Variant> {
  const taskQueue = 'e2e-floor';
  const spent = { ms: 0, calls: 0 };
  const activities: FloorActivities = {
    async floorStep(step) {
      return { step, n: 1 };
    },
  };
  const worker = await Worker.create({
    connection: stack.native,
    taskQueue,
    workflowBundle: stack.floorBundle,
    activities: timed({ ...activities }, spent),
    workflowThreadPoolSize: DEFAULT_WORKFLOW_THREADS,
  });
  const client = new Client({ connection: stack.native });
  const timedUpdate = async (label: string, run: () => Promise<unknown>): Promise<number> => {
    const t = performance.now();
    await run();
    const ms = performance.now() - t;
    const seen = byInfno.get(label) ?? [];
    seen.push(ms);
    byInfno.set(label, seen);
    return ms;
  };
  let serial = 0;
  const oneFloorCase = async (h: Hospital, psn_no: string): Promise<number> => {
    serial += 1;
    const mdtrt_id = `F${h.fixmedins_code}${serial}`;
    const stay = await client.workflow.start(floorStayWorkflow, {
      workflowId: `floor-${mdtrt_id}`,
      taskQueue,
    });
    await timedUpdate('2401', () => stay.executeUpdate(floorAdmitUpdate, { args: [{ mdtrt_id, psn_no }] }));
    await timedUpdate('2301', () =>
      stay.executeUpdate(floorFeesUpdate, { args: [feeLines(mdtrt_id, psn_no, Date.now())] }),
    );
    await timedUpdate('2402', () =>
      stay.executeUpdate(floorDischargeUpdate, { args: [{ mdtrt_id, endtime: cstTime(Date.now()) }] }),
    );
    return timedUpdate('2304', () => stay.executeUpdate(floorSettleUpdate, { args: [{ mdtrt_id, psn_no }] }));
  };
  // Its own persons (nothing is looked up): the bench persons stay for the variants that admit them.
  const floorHospitals = hospitals.map((h) => ({
    ...h,
    persons: Array.from(
      { length: Math.ceil(MAX_CASES / HOSPITALS) + 10 },
      (_, i) => `${h.fixmedins_code}-${i}`,
    ),
  }));
  return worker.runUntil(() => measure('floor', stack, spent, oneFloorCase, floorHospitals));
}

// ── the stack ────────────────────────────────────────────────────────────────────────────────────

interface Stack {
  orm: Orm;
  client: Client;
  native: NativeConnection;
  bundle: WorkflowBundleWithSourceMap;
  floorBundle: WorkflowBundleWithSourceMap;
  postmaster: number;
  /** SQL statements sent; `log` collects their text while set (BENCH_SQL). */
  queries: { n: number; log?: string[] };
}

/** 20 networked hospitals in 成都, each with its own people insured in 合肥 and filed to 成都. */
async function benchData(orm: Orm): Promise<Hospital[]> {
  const knex = orm.em.fork().getKnex();
  const hospitals: Hospital[] = [];
  const now = new Date();
  for (let h = 0; h < HOSPITALS; h++) {
    const fixmedins_code = `H5101009900${String(h).padStart(2, '0')}`;
    const fixmedins_name = `成都市基准第${h + 1}人民医院`;
    await knex('hospital').insert({
      fixmedins_code,
      fixmedins_name,
      admdvs: TREATMENT_PLACE,
      hosp_lv: '3',
      network_status: 'networked',
    });
    const persons = Array.from(
      { length: PERSONS_PER_HOSPITAL },
      (_, i) => `P3401009${String(h).padStart(2, '0')}${String(i).padStart(4, '0')}`,
    );
    await knex.batchInsert(
      'insured_person',
      persons.map((psn_no, i) => ({
        psn_no,
        psn_name: `基准${h}-${i}`,
        certno: `3401021990${String(h).padStart(2, '0')}${String(i).padStart(4, '0')}X`.slice(0, 18),
        gend: i % 2 ? '1' : '2',
        brdy: '1980-01-01',
        insutype: '310',
        psn_type: 'in_service',
        insuplc_admdvs: INSURED_PLACE,
        insu_status: 'active',
      })),
      500,
    );
    // Active 异地就医 filings, as the filing workflow leaves them (the bench does not time filings).
    await knex.batchInsert(
      'filing',
      persons.map((psn_no) => ({
        id: `filing-bench-${psn_no}`,
        psn_no,
        insuplc_admdvs: INSURED_PLACE,
        prov_admdvs: '340000',
        category: 'other_temporary',
        status: 'ACTIVE',
        mdtrtarea_admdvs: TREATMENT_PLACE,
        fixmedins_code: null,
        begndate: '2026-01-01',
        enddate: null,
        commitment: true,
        deemed: false,
        retro: false,
        effective_at: now,
        form: JSON.stringify({}),
        created_at: now,
        updated_at: now,
        projection_seq: 1,
      })),
      500,
    );
    const auth = signToken(TOKEN_SECRET, {
      id: `bench-${fixmedins_code}`,
      username: `bench-${fixmedins_code}`,
      display_name: fixmedins_name,
      role: 'hospital',
      prov_admdvs: null,
      psn_no: null,
      fixmedins_code,
    });
    hospitals.push({ fixmedins_code, fixmedins_name, auth, persons });
  }
  return hospitals;
}

/** The floor: `settle()` alone on the same 20 lines, the catalogue and policy loaded once; per CPU-second. */
async function settlementCoreFloor(orm: Orm): Promise<number> {
  const em = orm.em.fork();
  const on = cstDate(Date.now());
  const { catalogue } = await loadCatalogue(em, TREATMENT_PLACE, on);
  const policy = await loadPolicy(em, {
    admvs: INSURED_PLACE,
    insutype: '310',
    hosp_lv: '3',
    med_type: '21',
    psn_type: 'in_service',
    on,
  });
  const lines = feeLines('M', 'P', Date.now()).map((l) => ({
    feedetl_sn: String(l.feedetl_sn),
    med_list_codg: String(l.med_list_codg),
    det_item_fee_sumamt: Math.round(Number(l.det_item_fee_sumamt) * 100) as Fen,
    cnt_e4: Math.round(Number(l.cnt) * 10_000),
  }));
  const input = {
    claim: {
      psn_no: 'P',
      insutype: '310',
      psn_type: 'in_service',
      med_type: '21',
      filing_type: 'temporary_other', // what an other_temporary filing settles as
      cvlserv_flag: false,
      maf_eligible: false,
    },
    lines,
    catalogue,
    policy,
    accumulators: ZERO_ACCUMULATORS,
  } as const satisfies Parameters<typeof settle>[0];
  const check = settle(input);
  if (!check.ok) throw new Error(`the core refused the bench lines: ${JSON.stringify(check.errors)}`);
  let n = 0;
  for (let i = 0; i < 5_000; i++) settle(input);
  const c0 = nodeCpuMs();
  while (nodeCpuMs() - c0 < 1_500) {
    for (let i = 0; i < 500; i++) settle(input);
    n += 500;
  }
  return n / ((nodeCpuMs() - c0) / 1000);
}

async function main(): Promise<void> {
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) } },
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yidi-bench-e2e-'));
  fs.chmodSync(dir, 0o755); // PostgreSQL may run as the postgres user, which must reach its data folder
  const cleanup: (() => Promise<unknown>)[] = [];
  try {
    const setupStarted = performance.now();
    const pg = new EmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port: await freePort() });
    await pg.start();
    cleanup.push(() => pg.stop());
    const admin = new PgClient({ connectionString: pg.url });
    await admin.connect();
    await admin.query('create database yidi');
    await admin.end();
    const postmaster = Number(fs.readFileSync(path.join(dir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
    // The pool `npm start` uses.
    const orm = await openOrm(pg.urlFor('yidi'), { pool: DEFAULT_DATABASE_POOL });
    cleanup.push(() => orm.close());
    await migrate(orm);
    await seedReferenceData(orm.em.fork());
    const hospitals = await benchData(orm);

    // Durable, as `npm start` runs it; the worker without gzip, as `npm start` connects to it.
    const devserver = await compiledDevServer().startDevServer({
      port: 0,
      dbFilename: path.join(dir, 'devserver.db'),
    });
    cleanup.push(() => devserver.stop());
    const native = await NativeConnection.connect({
      address: devserver.address,
      grpcCompression: { codec: 'none' },
    });
    cleanup.push(() => native.close());
    const connection = await Connection.connect({ address: devserver.address });
    cleanup.push(() => connection.close());
    const bundle = await bundleWorkflowCode({
      workflowsPath: path.join(ROOT, 'workflows', 'index.ts'),
      logger: new DefaultLogger('WARN'),
    });
    const floorBundle = await bundleWorkflowCode({
      workflowsPath: path.join(ROOT, 'bench', 'support', 'floor-workflows.ts'),
      logger: new DefaultLogger('WARN'),
    });
    const queries: Stack['queries'] = { n: 0 };
    orm.em.getKnex().on('query', (q: { sql: string }) => {
      queries.n += 1;
      queries.log?.push(q.sql);
    });
    const stack: Stack = {
      orm,
      client: new Client({ connection }),
      native,
      bundle,
      floorBundle,
      postmaster,
      queries,
    };
    const setupS = (performance.now() - setupStarted) / 1000;

    const floor = await settlementCoreFloor(orm);
    const wfFloor = await runFloor(stack, hospitals);
    const noop = await runVariant('noop', stack, noopActivities(), hospitals);
    const real = await runVariant('real', stack, createActivities({ orm }), hospitals);
    const twoThreads = await runVariant('real-2', stack, createActivities({ orm }), hospitals, 2);

    const total = real.nodeCpuPerCase + real.pgCpuPerCase;
    // Ours: what the activities add in this process over the same shape on no-op ones, and every DB
    // cycle. The edge's own reads and writes (msgid claim, the stay's admission, the person) run in both
    // variants: their PostgreSQL side is ours here, their client side is counted in the baseline.
    const ours = Math.max(0, real.nodeCpuPerCase - noop.nodeCpuPerCase) + real.pgCpuPerCase;
    const share = ours / total;
    // What the measured CPU allows if this process had the machine's cores to itself: the main thread
    // (API, devserver, activities) cannot use more than one of them.
    const cores = os.availableParallelism();
    const ceiling = Math.min(1000 / real.mainCpuPerCase, (cores * 1000) / total);
    const mark = (ok: boolean) => (ok ? 'met' : 'NOT met');
    const row = (label: string, value: string) => console.log(`  ${label.padEnd(56)} ${value}`);
    console.log(
      `e2e benchmark (${HOSPITALS} hospitals, one case at a time each; ${LINES} fee lines per case; ` +
        `2401 → 2301 → 2402 → 2304 over HTTP; set-up ${setupS.toFixed(0)} s; load average ${os.loadavg()[0]!.toFixed(1)} on ${cores} cores)`,
    );
    row('floor: settle() alone on the same 20 lines', `${floor.toFixed(0).padStart(8)} stays/CPU-s`);
    for (const [label, v] of [
      ['workflow floor: the mandated shape alone, no HTTP, no DB', wfFloor],
      ['baseline: the same workflows on no-op activities', noop],
      ['real: activities, settlement core, PostgreSQL', real],
      ['real on two workflow threads (YIDI_WORKFLOW_THREADS=2)', twoThreads],
    ] as const) {
      row(
        label,
        `${v.casesPerS.toFixed(1).padStart(8)} cases/s   (${v.cases} cases in ${v.seconds.toFixed(1)} s)`,
      );
      row('  2304 round trip alone (one hospital, median of 5)', `${v.aloneP50.toFixed(0).padStart(8)} ms`);
      row(
        '  2304 round trip under load, p50 / p99',
        `${v.p50.toFixed(0).padStart(8)} ms / ${v.p99.toFixed(0)} ms`,
      );
      row('  p50 round trip per transaction (ms)', v.perInfno);
      row(
        '  CPU per case: main thread / other threads / PostgreSQL',
        `${v.mainCpuPerCase.toFixed(0).padStart(8)} ms / ${(v.nodeCpuPerCase - v.mainCpuPerCase).toFixed(0)} ms / ${v.pgCpuPerCase.toFixed(0)} ms`,
      );
      row(
        '  per case: activities, their summed wall time, SQL sent',
        `${v.activityCalls.toFixed(1).padStart(8)} calls, ${v.activityMsPerCase.toFixed(0)} ms, ${v.queriesPerCase.toFixed(0)} statements`,
      );
    }
    row(
      'baseline vs workflow floor, cases/s',
      `${(noop.casesPerS / wfFloor.casesPerS).toFixed(2).padStart(8)} x`,
    );
    row(
      'real vs workflow floor, cases/s',
      `${(real.casesPerS / wfFloor.casesPerS).toFixed(2).padStart(8)} x`,
    );
    const floorCpu = wfFloor.nodeCpuPerCase + wfFloor.pgCpuPerCase;
    row(
      'the workflow floor within a real case (CPU per case)',
      `${((floorCpu / total) * 100).toFixed(0).padStart(8)} %   (${floorCpu.toFixed(0)} of ${total.toFixed(0)} ms)`,
    );
    row(
      `the workflow floor vs the target of ${TARGET_CASES_PER_S} cases/s`,
      `${(wfFloor.casesPerS / TARGET_CASES_PER_S).toFixed(2).padStart(8)} x   (the Temporal path alone ${wfFloor.casesPerS >= TARGET_CASES_PER_S ? 'can' : 'cannot'} reach it here)`,
    );
    row(
      `the workflow floor's CPU-bound ceiling on ${cores} cores`,
      `${((cores * 1000) / floorCpu).toFixed(1).padStart(8)} cases/s   (${TARGET_CASES_PER_S} cases/s needs ≤ ${((cores * 1000) / TARGET_CASES_PER_S).toFixed(0)} ms CPU per case)`,
    );
    row(
      `real on two workflow threads vs ${DEFAULT_WORKFLOW_THREADS}, cases/s and CPU per case`,
      `${(twoThreads.casesPerS / real.casesPerS).toFixed(2).padStart(8)} x   ${((twoThreads.nodeCpuPerCase + twoThreads.pgCpuPerCase) / total).toFixed(2)} x`,
    );
    row('real vs baseline, cases/s', `${(real.casesPerS / noop.casesPerS).toFixed(2).padStart(8)} x`);
    row(
      'real vs baseline, CPU per case',
      `${(total / (noop.nodeCpuPerCase + noop.pgCpuPerCase)).toFixed(2).padStart(8)} x`,
    );
    row(
      'the core within a case (floor vs real CPU per case)',
      `${((1000 / floor / total) * 100).toFixed(2).padStart(8)} %   (${(1000 / floor).toFixed(3)} of ${total.toFixed(0)} ms)`,
    );
    row(
      `CPU-bound ceiling with the ${cores} cores to ourselves`,
      `${ceiling.toFixed(1).padStart(8)} cases/s   (estimate from the CPU per case)`,
    );
    const targets: [string, string, boolean][] = [
      [
        `cases/s ≥ ${TARGET_CASES_PER_S}`,
        `${real.casesPerS.toFixed(1)} cases/s`,
        real.casesPerS >= TARGET_CASES_PER_S,
      ],
      [
        `2304 p99 < ${TARGET_P99_2304_MS} ms at ${HOSPITALS} concurrent hospitals`,
        `${real.p99.toFixed(0)} ms`,
        real.p99 < TARGET_P99_2304_MS,
      ],
      [
        `our activities + DB ≤ ${TARGET_OUR_SHARE * 100}% of the cost (CPU)`,
        `${(share * 100).toFixed(0)}%  (${ours.toFixed(0)} of ${total.toFixed(0)} ms per case)`,
        share <= TARGET_OUR_SHARE,
      ],
    ];
    for (const [label, value, ok] of targets) row(`target: ${label}`, `${value.padStart(8)}   ${mark(ok)}`);
    console.log(targets.every(([, , ok]) => ok) ? 'targets met' : 'targets NOT met');
  } finally {
    for (const stop of cleanup.reverse()) await stop().catch((e: unknown) => console.error(e));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const watchdog = setTimeout(() => {
  console.error('bench: gave up after 6 minutes');
  process.exit(1);
}, 360_000);
watchdog.unref();

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
