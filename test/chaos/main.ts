/**
 * `npm run chaos [-- --seed 7 --cases 40 --faults pause,worker,restart-term,restart-kill --time 600 --keep]`
 *
 * Starts the platform (`bin/start.ts`) on a throwaway data folder and free ports, runs a seeded mix of
 * cases through the public API while pausing PostgreSQL, killing the worker and restarting the platform,
 * then holds what was acknowledged against the database and Temporal. Prints a table and exits 1 on any
 * lost, doubled, stuck or inconsistent case. Bounded: it stops by itself after `--time` seconds.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type CaseRecord, CaseRunner, type Progress } from './cases';
import { ChaosClient } from './client';
import { type Finding, judge, settled, snapshot } from './invariants';
import { FAULT_KINDS, type FaultKind, type FaultPlan, planCases, planFaults } from './plan';
import { ChaosPlatform } from './platform';
import { judgeStays, type StaySnapshot, staySnapshot, staysSettled } from './stay-invariants';
import { planStays, STAY_PERSON, type StayRecord, StayRunner, stayMessages } from './stays';
import { TemporalProbe } from './temporal';

interface Options {
  seed: number;
  cases: number;
  /** Stays run one after another by the hospital lane; default a fifth of the cases. */
  stays: number | null;
  faults: FaultKind[];
  timeSeconds: number;
  keep: boolean;
}

const USAGE =
  'usage: npm run chaos -- [--seed N] [--cases N] [--stays N] [--faults pause,worker,restart-term,restart-kill|none] [--time SECONDS] [--keep]';

function parseOptions(argv: string[]): Options {
  const options: Options = {
    seed: 1,
    cases: 40,
    stays: null,
    faults: [...FAULT_KINDS],
    timeSeconds: 600,
    keep: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    const int = (min: number, max: number) => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < min || n > max) fail(`${flag} wants an integer from ${min} to ${max}`);
      i++;
      return n;
    };
    if (flag === '--seed') options.seed = int(0, 2 ** 31);
    else if (flag === '--cases') options.cases = int(1, 500);
    else if (flag === '--stays') options.stays = int(0, 200);
    else if (flag === '--time') options.timeSeconds = int(30, 3_600);
    else if (flag === '--keep') options.keep = true;
    else if (flag === '--faults') {
      i++;
      const kinds = (value ?? '').split(',').filter((k) => k && k !== 'none');
      const unknown = kinds.filter((k) => !(FAULT_KINDS as readonly string[]).includes(k));
      if (unknown.length > 0 || value === undefined)
        fail(`--faults: unknown ${unknown.join(', ')}; have ${FAULT_KINDS.join(', ')}`);
      options.faults = kinds as FaultKind[];
    } else fail(`unknown argument ${flag}`);
  }
  return options;
}

function fail(message: string): never {
  console.error(`chaos: ${message}\n${USAGE}`);
  process.exit(2);
}

const log = (line: string) => console.log(`[chaos] ${line}`);
/** The platform under test, so a run that fails on its own still leaves no processes behind. */
let running: ChaosPlatform | undefined;

interface Injected {
  kind: FaultKind;
  afterFiled: number;
  detail: string;
  /** The stay in flight when it struck (`stay 3 at 2/7 answered`), null when none was. */
  stay: string | null;
  /** The planned cases in flight when it struck (filed or being filed, not yet done). */
  filings: number[];
  /** The cases whose filing was awaiting staff review (an open review task, held until the fault struck). */
  reviews: number[];
  /** When it struck, to tell which fault a lost case was in flight for. */
  at: number;
}

async function inject(platform: ChaosPlatform, fault: FaultPlan): Promise<string> {
  switch (fault.kind) {
    case 'pause': {
      const frozen = await platform.pausePostgres(fault.pauseMs);
      return `${frozen} postgres processes SIGSTOPped for ${fault.pauseMs} ms`;
    }
    case 'worker': {
      if (!ChaosPlatform.hasWorkerScript()) {
        // The worker runs inside `npm start`: killing it is killing the platform.
        await platform.restart('SIGKILL');
        return 'no `npm run worker`: the whole platform SIGKILLed and started again';
      }
      // Started with the platform, it has been taking tasks: it dies holding some.
      await platform.stopWorker('SIGKILL');
      await platform.startWorker();
      return '`npm run worker` SIGKILLed while cases ran, started again';
    }
    case 'restart-term':
      await platform.restart('SIGTERM');
      return 'platform stopped with SIGTERM and started again';
    case 'restart-kill':
      await platform.restart('SIGKILL');
      return 'platform SIGKILLed and started again';
  }
}

/** Who waits on the next acknowledged filing or answered hospital message: the fault plan and the stay lane. */
const onFiled = new Set<() => void>();

/** Resolves when `check` holds (re-tested on every acknowledged filing and answered stay message), or after `ms`. */
function waitUntil(check: () => boolean, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(finish, ms);
    function finish() {
      clearTimeout(timer);
      onFiled.delete(listener);
      resolve();
    }
    const listener = () => {
      if (check()) finish();
    };
    onFiled.add(listener);
    if (check()) finish();
  });
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const startedAt = Date.now();
  const hardStop = startedAt + options.timeSeconds * 1_000;
  // Leave room to settle and judge inside the bound.
  const workUntil = hardStop - Math.min(60_000, options.timeSeconds * 250);
  const cases = planCases(options.seed, options.cases);
  const stayPlans = planStays(options.seed, options.stays ?? Math.max(1, Math.round(options.cases / 5)));
  const faults = planFaults(options.seed, options.cases, options.faults, stayPlans.map(stayMessages));
  const when = (f: FaultPlan) =>
    f.stay === null ? `filing ${f.afterFiled}` : `stay ${f.stay} answer ${f.afterAnswers}`;
  log(
    `seed ${options.seed}, ${cases.length} cases, ${stayPlans.length} stays, faults: ${faults.map((f) => `${f.kind}@${when(f)}`).join(', ') || 'none'}, bound ${options.timeSeconds} s`,
  );

  const dataDir = path.join(os.tmpdir(), `yidi-chaos-${options.seed}-${process.pid}`);
  const platform = await ChaosPlatform.create(dataDir, log);
  running = platform;
  const interrupted = () => {
    platform.abandon();
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  // The bound holds even if something below hangs: no frozen database, no orphans, a clear exit.
  const watchdog = setTimeout(
    () => {
      console.error(`chaos: the run exceeded its bound of ${options.timeSeconds} s; stopping`);
      platform.abandon();
      process.exit(3);
    },
    hardStop - Date.now() + 30_000,
  );
  watchdog.unref();

  await platform.start();
  if (options.faults.includes('worker') && ChaosPlatform.hasWorkerScript()) await platform.startWorker();
  log(
    `platform up in ${((Date.now() - startedAt) / 1000).toFixed(1)} s on ${platform.endpoints?.url}, PostgreSQL ${platform.databaseUrl}, data ${dataDir}`,
  );
  const client = new ChaosClient(platform, workUntil);
  const temporal = new TemporalProbe(platform);
  const progress: Progress = {
    filed: 0,
    onFiled: () => {
      for (const listener of [...onFiled]) listener();
    },
  };

  // One lane per citizen: a citizen files one case after another (their ids count up), citizens in parallel.
  const lanes = new Map<string, typeof cases>();
  for (const plan of cases)
    lanes.set(plan.citizen.username, [...(lanes.get(plan.citizen.username) ?? []), plan]);
  /**
   * How many planned faults have struck. The lanes wait on it so that load cannot carry them past the
   * plan while a slow fault (a restart) is still under way: a filing lane starts no case once the filings
   * passed a fault's `afterFiled` by a fault's spacing, the stay lane sends nothing past a fault's planned answer, until it struck.
   */
  let struck = 0;
  /** How many of them are over (the platform back after a restart): the parked filings wait on it. */
  let recovered = 0;
  const slack = Math.max(1, Math.floor((options.cases * 0.8) / Math.max(1, faults.length)));
  const gate = (passed: (f: FaultPlan) => boolean) =>
    waitUntil(() => faults.every((f, i) => i < struck || !passed(f)), Math.max(0, workUntil - Date.now()));
  const records: CaseRecord[] = [];
  /** Cases begun and not yet done, by plan number: what a fault striking now falls into. */
  const casesInFlight = new Set<number>();
  /**
   * Filings parked at an open review task (plan number → the fault it waits for), as the stays are held
   * on a planned answer: staff act only once that fault is over, so every fault also falls on a
   * citizen's filing awaiting review, its workflow, task and SLA timer in flight.
   */
  const reviewing = new Map<number, number>();
  /** Referrals with staff to review them that have not yet reached their review: who may still park. */
  const mayPark = new Set(cases.filter((c) => c.category === 'referral' && c.citizen.staff).map((c) => c.n));
  const hold = async (plan: (typeof cases)[number]) => {
    mayPark.delete(plan.n);
    // One filing for the next fault to strike; when it has one, the case goes on.
    const fault = struck;
    if (fault >= faults.length || [...reviewing.values()].includes(fault)) return;
    reviewing.set(plan.n, fault);
    progress.onFiled();
    await waitUntil(() => recovered > fault, Math.max(0, workUntil - Date.now()));
    reviewing.delete(plan.n);
  };
  const runner = new CaseRunner(client, temporal, progress, workUntil, hold);
  let lanesDone = false;
  let lanesFiled = false;
  const work = Promise.all(
    [...lanes.values()].map(async (plans) => {
      for (const plan of plans) {
        // One fault's spacing of slack: the citizens keep filing around the stay the fault waits on.
        // Past it, one case at a time still goes, so a fault always has filings in flight — and none
        // while a filing is parked at its review for the next fault (it is in flight): filings are
        // quicker than restarts, and would be used up before the last faults had one to fall on.
        await waitUntil(
          () => {
            if (faults.every((f, i) => i < struck || progress.filed < f.afterFiled + slack)) return true;
            if (casesInFlight.size > 0) return false;
            casesInFlight.add(plan.n); // claimed at once: the other waiting lanes see it
            return true;
          },
          Math.max(0, workUntil - Date.now()),
        );
        if (Date.now() > workUntil) {
          casesInFlight.delete(plan.n);
          break;
        }
        casesInFlight.add(plan.n);
        records.push(await runner.run(plan));
        mayPark.delete(plan.n);
        casesInFlight.delete(plan.n);
        progress.onFiled();
      }
    }),
  ).then(() => {
    lanesFiled = true;
    progress.onFiled();
  });
  // The hospital's lane: one person's stays one after another (a person is in one bed at a time).
  const stays = new StayRunner(client, options.seed, progress.onFiled, (r) =>
    gate(
      (f) =>
        f.stay !== null &&
        (f.stay < r.plan.n || (f.stay === r.plan.n && f.afterAnswers <= r.acknowledged.length)),
    ),
  );
  const stayRecords: StayRecord[] = [];
  let staysDone = false;
  let stayCover: string | null | undefined;
  const stayWork = (async () => {
    if (stayPlans.length === 0) return;
    stayCover = await stays.cover();
    if (!stayCover) return;
    // Spread over the filings, as the faults are, so faults strike mid-stay.
    const span = Math.max(1, Math.floor(options.cases * 0.8));
    for (const plan of stayPlans) {
      const after = Math.floor(((plan.n - 1) * span) / stayPlans.length);
      await waitUntil(() => lanesFiled || progress.filed >= after, Math.max(0, workUntil - Date.now()));
      if (Date.now() > workUntil) break;
      const began = Date.now();
      const record = await stays.run(plan);
      stayRecords.push(record);
      log(
        `stay ${plan.n} ${record.mdtrt_id ?? '(not admitted)'}: ${record.acknowledged.join(' ')} in ${((Date.now() - began) / 1000).toFixed(1)} s${record.stalled ? `; STALLED: ${record.stalled}` : ''}`,
      );
    }
  })().finally(() => {
    staysDone = true;
    progress.onFiled();
  });
  const allWork = Promise.all([work, stayWork]).then(() => {
    lanesDone = true;
    progress.onFiled();
  });

  const injected: Injected[] = [];
  const chaos = (async () => {
    for (const fault of faults) {
      // An event, not a sleep: the planned answer inside the planned stay (or, without stays, the k-th
      // acknowledged filing). Should that stay end or stall first, strike at once rather than never.
      const index = faults.indexOf(fault);
      // And a filing parked at its review for it, unless no referral is left to park.
      const filing = () => lanesFiled || mayPark.size === 0 || [...reviewing.values()].includes(index);
      const point = (): boolean => {
        if (fault.stay === null) return progress.filed >= fault.afterFiled;
        const stay = fault.stay;
        if (staysDone || stayRecords.some((r) => r.plan.n >= stay)) return true;
        const current = stays.current;
        return current?.plan.n === stay && current.acknowledged.length >= fault.afterAnswers;
      };
      const due = () => lanesDone || (point() && filing());
      await waitUntil(due, Math.max(0, workUntil - Date.now()));
      if (Date.now() > workUntil) break;
      const at = Date.now();
      const afterFiled = progress.filed;
      const current = stays.current;
      const stay = current
        ? `stay ${current.plan.n} at ${current.acknowledged.length}/${stayMessages(current.plan)} answered`
        : null;
      const filings = [...casesInFlight].sort((a, b) => a - b);
      const reviews = [...reviewing.keys()].sort((a, b) => a - b);
      struck += 1;
      progress.onFiled();
      log(
        `fault ${fault.kind} (planned at ${when(fault)}) after ${afterFiled} filings; in flight: ${stay ?? 'no stay'}, cases ${filings.join(' ') || 'none'}, awaiting review ${reviews.join(' ') || 'none'}`,
      );
      try {
        const detail = await inject(platform, fault);
        injected.push({ kind: fault.kind, afterFiled, detail, at, stay, filings, reviews });
        log(`  ${detail}`);
      } catch (error) {
        injected.push({
          kind: fault.kind,
          afterFiled,
          detail: `FAILED: ${String(error)}`,
          at,
          stay,
          filings,
          reviews,
        });
        log(`  fault ${fault.kind} failed: ${String(error)}\n${platform.lastLog()}`);
        if (!platform.endpoints) await platform.start();
      }
      recovered += 1;
      progress.onFiled();
    }
  })();
  await Promise.all([allWork, chaos]);
  await platform.up();
  log(`cases and faults done at ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);

  // Settle: outbox deliveries and projections catch up. Poll (bounded) until what was acknowledged holds,
  // or until nothing has moved for longer than two outbox rounds (a lost case never settles).
  const settleFrom = Date.now();
  const settleUntil = Math.min(hardStop, settleFrom + 45_000);
  let state = await snapshot(platform.databaseUrl);
  let stayState: StaySnapshot = await staySnapshot(platform.databaseUrl);
  let movedAt = Date.now();
  const allSettled = () => settled(records, state) && staysSettled(stayRecords, stayState);
  while (!allSettled() && Date.now() < settleUntil && Date.now() - movedAt < 12_000) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const next = await snapshot(platform.databaseUrl);
    const nextStays = await staySnapshot(platform.databaseUrl);
    if (next.fingerprint !== state.fingerprint || nextStays.fingerprint !== stayState.fingerprint)
      movedAt = Date.now();
    state = next;
    stayState = nextStays;
  }
  log(
    allSettled()
      ? `settled ${((Date.now() - settleFrom) / 1000).toFixed(1)} s after the last case`
      : `not settled; nothing moved for ${((Date.now() - movedAt) / 1000).toFixed(1)} s: judging as it stands`,
  );
  records.sort((a, b) => a.plan.n - b.plan.n);
  const findings = await judge(
    records,
    state,
    temporal,
    new Map(stayPlans.length > 0 ? [[STAY_PERSON.psn_no, 1]] : []),
  );
  if (stayPlans.length > 0 && !stayCover)
    findings.push({
      kind: 'stuck',
      subject: stays.filingKey,
      n: null,
      what: "the stays' covering filing was never acknowledged ACTIVE",
    });
  findings.push(...(await judgeStays(stayRecords, stayState, temporal)));
  if (temporal.lastError) log(`a Temporal probe could not tell a workflow's state: ${temporal.lastError}`);
  await temporal.close();

  // Every fault kind must have struck while a stay was in flight, or the run did not test the stays.
  const missed =
    stayPlans.length === 0
      ? []
      : [...new Set(injected.map((f) => f.kind))].filter(
          (k) => !injected.some((f) => f.kind === k && f.stay),
        );
  // And every fault on a filing awaiting review, when the plan has a referral for staff to review.
  const reviewable = cases.some((c) => c.category === 'referral' && c.citizen.staff);
  const noFiling = reviewable ? injected.filter((f) => f.reviews.length === 0) : [];
  report(options, records, injected, findings, client, Date.now() - startedAt, {
    planned: stayPlans.length,
    records: stayRecords,
    state: stayState,
    missed,
    noFiling: noFiling.map((f) => injected.indexOf(f) + 1),
  });
  const failed = findings.length > 0 || missed.length > 0 || noFiling.length > 0;
  if (options.keep || failed) {
    // For a closer look (or a diff between two runs of one seed): every case as planned and as answered.
    const cases = records.map((r) => ({ ...r, ids: [...r.ids] }));
    const stays = stayRecords.map((r) => ({ ...r, liveLines: [...r.liveLines] }));
    fs.writeFileSync(
      path.join(dataDir, 'chaos-report.json'),
      JSON.stringify({ options, injected, findings, cases, stays }, null, 2),
    );
  }
  await platform.dispose(options.keep || failed);
  if (options.keep || failed) log(`data folder kept: ${dataDir} (platform.log and chaos-report.json inside)`);
  clearTimeout(watchdog);
  return failed ? 1 : 0;
}

function report(
  options: Options,
  records: CaseRecord[],
  injected: Injected[],
  findings: Finding[],
  client: ChaosClient,
  ms: number,
  stays: {
    planned: number;
    records: StayRecord[];
    state: StaySnapshot;
    missed: FaultKind[];
    /** The faults (numbered from 1) that struck with no filing awaiting review. */
    noFiling: number[];
  },
): void {
  const count = (kind: Finding['kind']) =>
    new Set(findings.filter((f) => f.kind === kind).map((f) => f.n ?? f.subject)).size;
  const acknowledged = records.filter((r) => r.ids.size > 0).length;
  const byKind = FAULT_KINDS.map((k) => `${k} ${injected.filter((f) => f.kind === k).length}`).join(', ');
  const hitByKind = FAULT_KINDS.map(
    (k) => `${k} ${injected.filter((f) => f.kind === k && f.stay).length}`,
  ).join(', ');
  const filingByKind = FAULT_KINDS.map(
    (k) => `${k} ${injected.filter((f) => f.kind === k && f.reviews.length > 0).length}`,
  ).join(', ');
  // Filings never acknowledged: what the platform answered instead (a business guard's 409 is by design).
  const unacknowledged = records.filter((r) => r.ids.size === 0);
  const why = (r: CaseRecord) => r.refusals[0]?.replace(/^POST \/filings: /, '') ?? 'not sent';
  const reasons = new Map<string, number>();
  for (const r of unacknowledged) reasons.set(why(r), (reasons.get(why(r)) ?? 0) + 1);
  const rows: [string, string][] = [
    ['seed', String(options.seed)],
    ['cases planned / run / acknowledged', `${options.cases} / ${records.length} / ${acknowledged}`],
    [
      'not acknowledged',
      `${unacknowledged.length}${reasons.size > 0 ? ` (${[...reasons].map(([c, k]) => `${c} ×${k}`).join(', ')})` : ''}`,
    ],
    ['faults injected', `${injected.length} (${byKind})`],
    ['faults during a stay', `${injected.filter((f) => f.stay).length} / ${injected.length} (${hitByKind})`],
    [
      'faults with a filing in flight',
      `${injected.filter((f) => f.reviews.length > 0).length} / ${injected.length} (${filingByKind})`,
    ],
    [
      'stays planned / run / settled',
      `${stays.planned} / ${stays.records.length} / ${stays.records.filter((r) => !r.stalled && r.settlements.length > 0).length}`,
    ],
    [
      'settlements (reversals)',
      `${stays.state.settlements.length} (${stays.state.settlements.filter((x) => x.kind === 'REVERSAL').length})`,
    ],
    ['ledger Σ debit − Σ credit', `${stays.state.ledgerSum} fen`],
    ['requests (resent)', `${client.attempts} (${client.resends})`],
    ['5xx answers', String(client.serverErrors.length)],
    ['lost', String(count('lost'))],
    ['doubled', String(count('doubled'))],
    ['stuck', String(count('stuck'))],
    ['inconsistent', String(count('inconsistent'))],
    ['time', `${(ms / 1000).toFixed(1)} s`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log('\n  chaos run');
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
  if (injected.length > 0) {
    console.log('\n  faults');
    injected.forEach((f, i) => {
      console.log(
        `  #${i + 1} ${f.kind.padEnd(12)} after ${String(f.afterFiled).padStart(3)} filings: ${f.detail}`,
      );
      console.log(
        `     in flight: ${f.stay ?? 'no stay'}; cases ${f.filings.join(' ') || 'none'}; awaiting review: ${f.reviews.map((n) => `case ${n}`).join(', ') || 'none'}`,
      );
    });
  }
  if (unacknowledged.length > 0) {
    // FILING_DUPLICATE: the same citizen already has this category to this destination from today
    // under review or active (an earlier case of the plan); LONG_TERM_FILING_EXISTS: a long-term one.
    const guarded = unacknowledged.every((r) =>
      /^409 (FILING_DUPLICATE|LONG_TERM_FILING_EXISTS|REFERRAL_DUPLICATE)/.test(why(r)),
    );
    console.log(
      guarded
        ? "\n  not acknowledged (by design: refused by the filing guards, the plan repeats a citizen's filing)"
        : '\n  not acknowledged (NOT all by the filing guards: look at these)',
    );
    for (const r of unacknowledged)
      console.log(
        `  case ${String(r.plan.n).padStart(3)} ${r.plan.citizen.username} ${r.plan.category} → ${r.refusals.join('; ') || 'not sent'}`,
      );
  }
  for (const kind of stays.missed)
    console.log(`\n  FAILED: no ${kind} fault struck while a stay was in flight`);
  for (const n of stays.noFiling)
    console.log(`\n  FAILED: fault #${n} struck with no filing awaiting review`);
  if (findings.length > 0) {
    console.log('\n  findings');
    for (const f of findings) {
      const plan = f.n === null ? undefined : records.find((r) => r.plan.n === f.n)?.plan;
      const record = f.n === null ? undefined : records.find((r) => r.plan.n === f.n);
      const what = plan
        ? ` [case ${plan.n}: ${plan.citizen.username} ${plan.category} ${plan.submission} ${plan.decisions.join('>') || '-'} ${plan.followUp}]`
        : '';
      // The first process-level fault after the case was sent: what a loss most likely came from.
      const cause =
        f.kind === 'lost' && record?.sentAt
          ? injected.find((i) => i.kind !== 'pause' && i.at >= (record.sentAt as number))
          : undefined;
      const during = cause ? ` — in flight at ${cause.kind} #${injected.indexOf(cause) + 1}` : '';
      console.log(`  ${f.kind.padEnd(12)} ${f.subject}${what}: ${f.what}${during}`);
    }
  }
  const codes = new Map<string, number>();
  for (const e of client.serverErrors) {
    // By route, ids left out: which kind of request met it.
    const route = e.route.replace(/\/(filings|tasks|stays)\/[^/?]+/g, '/$1/{id}');
    const key = `${e.status} ${e.code ?? ''} on ${route}`;
    codes.set(key, (codes.get(key) ?? 0) + 1);
  }
  if (codes.size > 0) console.log(`\n  5xx seen: ${[...codes].map(([c, k]) => `${c} ×${k}`).join(', ')}`);
  console.log(
    findings.length === 0 && stays.missed.length === 0 && stays.noFiling.length === 0
      ? '\n  ok: nothing lost, doubled or stuck\n'
      : `\n  FAILED: ${findings.length} findings, ${stays.missed.length + stays.noFiling.length} faults not struck where planned\n`,
  );
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('chaos: the run itself failed:', error);
    running?.abandon();
    process.exit(2);
  },
);
