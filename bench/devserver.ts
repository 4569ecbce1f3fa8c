// Devserver benchmark: `npm run bench devserver`. Starts the compiled devserver in-process on a loopback port,
// measures workflow throughput with one worker, in memory and durable, and the executable's start-up; prints
// each figure with its ratio to a floor measured in the same run (a bare grpc-js echo, a bare node start),
// and the CPU each workflow costs, thread by thread, with the devserver in its own process as well: on this
// 2-core machine that cost, not the devserver, sets the ceiling. Bounded; stops by itself.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { Client, Connection } from '@temporalio/client';
import {
  bundleWorkflowCode,
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { compiledDevServer } from '../devserver/compiled';
import { createActivities, Probe } from '../test/devserver/activities';
import { oneActivity, tenActivitiesAndSignal } from '../test/devserver/workflows/activity-workflows';

const ROOT = path.resolve(__dirname, '..');
const BIN = path.join(ROOT, 'bin/yidi-devserver');
const WORKFLOWS = path.join(ROOT, 'test/devserver/workflows/index.ts');
const TARGET_ONE_ACTIVITY_PER_S = 200;
const TARGET_STARTUP_MS = 1000;

/** Runs `task(i)` for i < total with at most `concurrency` in flight; returns operations per second. */
async function rate(
  total: number,
  concurrency: number,
  task: (i: number) => Promise<unknown>,
): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await task(next++);
    }),
  );
  return total / ((performance.now() - started) / 1000);
}

/**
 * The floor under every figure: a bare grpc-js server with one echo method, round trips per second
 * with the same concurrency, in this process. No server can answer faster over this transport here.
 */
async function bareGrpcEchoRate(total: number, concurrency: number): Promise<number> {
  const identity = (b: Buffer) => b;
  const method = {
    path: '/bench.Echo/Echo',
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  };
  const server = new grpc.Server();
  server.addService(
    { Echo: method },
    {
      Echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) =>
        callback(null, call.request),
    },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const call = () =>
    new Promise((resolve, reject) =>
      client.makeUnaryRequest(method.path, identity, identity, Buffer.alloc(0), (e, v) =>
        e ? reject(e) : resolve(v),
      ),
    );
  await rate(500, concurrency, call); // warm-up
  const result = await rate(total, concurrency, call);
  client.close();
  server.forceShutdown();
  return result;
}

function total(counts: ReadonlyMap<string, number>): number {
  let n = 0;
  for (const v of counts.values()) n += v;
  return n;
}

/** Spawns a command until its first line on stdout; returns milliseconds. */
async function spawnToFirstLine(cmd: string, args: string[]): Promise<number> {
  const started = performance.now();
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`${cmd} exited ${code} before its first line`)));
  });
  const ms = performance.now() - started;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
  return ms;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** CPU ticks (1/100 s) per thread of a process, from /proc: tid → { name, ticks }. */
function threadTicks(pid: number | 'self'): Map<number, { name: string; ticks: number }> {
  const out = new Map<number, { name: string; ticks: number }>();
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // ended between the listing and the read
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    out.set(Number(tid), { name, ticks: Number(fields[11]) + Number(fields[12]) });
  }
  return out;
}

/** Threads that exist before the SDK is loaded: the main thread and V8's platform (GC) threads. */
const STARTUP_THREADS = new Set(threadTicks('self').keys());

/**
 * Where this process's CPU goes, in ms per workflow, by kind of thread: the main thread (client, in-process
 * devserver, the worker's JS side, activities), V8's GC helpers, the SDK's workflow thread (JS threads made
 * later), sdk-core's Rust threads (tokio, workflow processing), libuv's file I/O pool.
 */
type CpuSplit = Record<'main' | 'gc' | 'workflowThread' | 'core' | 'io' | 'ended' | 'total', number> & {
  devserver?: number;
};

function cpuSplit(
  before: Map<number, { name: string; ticks: number }>,
  after: Map<number, { name: string; ticks: number }>,
  processDelta: number,
  workflows: number,
): CpuSplit {
  const split: CpuSplit = { main: 0, gc: 0, workflowThread: 0, core: 0, io: 0, ended: 0, total: 0 };
  for (const [tid, { name, ticks }] of after) {
    const ms = ((ticks - (before.get(tid)?.ticks ?? 0)) * 10) / workflows;
    const kind =
      tid === process.pid
        ? 'main'
        : STARTUP_THREADS.has(tid)
          ? 'gc'
          : name === 'node'
            ? 'workflowThread'
            : name.startsWith('libuv')
              ? 'io' // libuv's pool: the durable journal's writes and fdatasyncs
              : 'core';
    split[kind] += ms;
    split.total += ms;
  }
  // Threads that started and ended within the run are in the process's total only: node's vm watchdog,
  // one thread per runInContext with a timeout (the SDK runs each workflow call with isolateExecutionTimeout).
  split.ended = Math.max(0, (processDelta * 10) / workflows - split.total);
  split.total += split.ended;
  return split;
}

/** CPU ticks of a whole process, threads that already ended included. */
function processTicks(pid: number | 'self'): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function fmt(n: number, unit: string): string {
  return `${n.toFixed(n < 10 ? 2 : 0).padStart(8)} ${unit}`;
}

interface Throughput {
  one: number;
  ten: number;
  /** NaN when the devserver runs in another process (its counts are not visible here). */
  rpcsPerOne: number;
  /** The same per method, e.g. PollWorkflowTaskQueue 1.3 (empty when the devserver runs in another process). */
  rpcsByMethod: Map<string, number>;
  latencyMs: number;
  rpc: number;
  cpu: CpuSplit;
}

interface Variant {
  /** sdk-core gzips its requests by default; `npm start` turns that off for the embedded devserver. */
  gzip?: boolean;
  /** Activities handed out in the workflow task completion's answer (sdk-core asks when it has a free slot). */
  eagerActivities?: boolean;
  /**
   * The client shares the worker's NativeConnection and asks for eager workflow start (the first workflow
   * task comes back in the start's answer); otherwise a grpc-js Connection, as the API process has.
   */
  eagerStart?: boolean;
  /** --db-filename: a journal write + fdatasync per group commit, a fresh file each round. */
  durable?: boolean;
  /** bin/yidi-devserver in a child process: this process holds only the worker and the client. */
  ownProcess?: boolean;
  /**
   * The worker's `workflowThreadPoolSize` (the SDK's default is 1 with reused V8 contexts): one thread runs
   * every workflow activation, ~5 ms of CPU per one-activity workflow, so alone it tops out near 200/s.
   */
  workflowThreads?: number;
}

/** bin/yidi-devserver on a free port; resolves with its address once it says it listens. */
async function spawnDevServer(args: string[]): Promise<{ child: ChildProcess; address: string }> {
  const child = spawn(BIN, ['--port', '0', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const address = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /listening on (\S+?),?\s/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`devserver exited ${code} before listening`)));
  });
  return { child, address };
}

/** One worker against a devserver started with `options`: one-activity and ten-activity workflows per second. */
async function throughput(
  dbFilename: string | undefined,
  workflowBundle: WorkflowBundleWithSourceMap,
  { gzip = false, eagerActivities = true, eagerStart = true, ownProcess = false, workflowThreads }: Variant,
): Promise<Throughput> {
  const inProcess = ownProcess
    ? undefined
    : await compiledDevServer().startDevServer({ port: 0, ...(dbFilename ? { dbFilename } : {}) });
  const spawned = ownProcess
    ? await spawnDevServer(dbFilename ? ['--db-filename', dbFilename] : [])
    : undefined;
  const address = inProcess?.address ?? spawned!.address;
  const rpcCount = () => (inProcess ? total(inProcess.rpcCounts()) : Number.NaN);
  const rpcCounts = () => inProcess?.rpcCounts() ?? new Map<string, number>();
  const nativeConnection = await NativeConnection.connect({
    address,
    grpcCompression: { codec: gzip ? 'gzip' : 'none' },
  });
  const connection = await Connection.connect({ address });
  const client = new Client({ connection: eagerStart ? nativeConnection : connection });
  const taskQueue = 'bench';
  const start = { requestEagerStart: eagerStart };
  try {
    const worker = await Worker.create({
      connection: nativeConnection,
      taskQueue,
      workflowBundle,
      activities: createActivities(new Probe()),
      // 0: sdk-core never asks for eager activities, so each one costs a PollActivityTaskQueue round trip.
      ...(eagerActivities ? {} : { maxEagerActivityReservationsPerWorkflowTask: 0 }),
      ...(workflowThreads ? { workflowThreadPoolSize: workflowThreads } : {}),
    });
    return await worker.runUntil(async () => {
      let id = 0;
      const one = (prefix: string) =>
        client.workflow.execute(oneActivity, {
          taskQueue,
          workflowId: `${prefix}-${id++}`,
          args: [prefix],
          ...start,
        });
      // Warm-up: JIT, worker pollers, sticky queues.
      await rate(50, 25, () => one('warm'));
      const rpc = await rate(1000, 32, () => connection.workflowService.getSystemInfo({}));
      // One at a time: latency, not throughput (the gap to 1/rate shows where time goes).
      const lat: number[] = [];
      for (let i = 0; i < 10; i++) {
        const t = performance.now();
        await one('seq');
        lat.push(performance.now() - t);
      }
      const before = rpcCount();
      const countsBefore = rpcCounts();
      const threadsBefore = threadTicks('self');
      const selfBefore = processTicks('self');
      const serverBefore = spawned ? processTicks(spawned.child.pid!) : 0;
      const N = 400;
      const oneRate = await rate(N, 100, () => one('one'));
      const cpu = cpuSplit(threadsBefore, threadTicks('self'), processTicks('self') - selfBefore, N);
      if (spawned) cpu.devserver = ((processTicks(spawned.child.pid!) - serverBefore) * 10) / N;
      const rpcsPerOne = (rpcCount() - before) / N;
      const rpcsByMethod = new Map<string, number>();
      for (const [method, n] of rpcCounts()) {
        const d = n - (countsBefore.get(method) ?? 0);
        if (d > 0) rpcsByMethod.set(method, d / N);
      }
      const ten = await rate(60, 30, async () => {
        const handle = await client.workflow.start(tenActivitiesAndSignal, {
          taskQueue,
          workflowId: `ten-${id++}`,
          ...start,
        });
        await handle.signal('finish');
        return handle.result();
      });
      return { one: oneRate, ten, rpcsPerOne, rpcsByMethod, latencyMs: median(lat), rpc, cpu };
    });
  } finally {
    await connection.close();
    await nativeConnection.close();
    await inProcess?.stop();
    if (spawned) {
      const exited = new Promise((r) => spawned.child.once('exit', r));
      spawned.child.kill('SIGTERM');
      await exited;
    }
  }
}

/** The better of several rounds, figure by figure. */
function best(rounds: Throughput[]): Throughput {
  return {
    one: Math.max(...rounds.map((r) => r.one)),
    ten: Math.max(...rounds.map((r) => r.ten)),
    rpcsPerOne: Math.min(...rounds.map((r) => r.rpcsPerOne)),
    rpcsByMethod: rounds[rounds.length - 1]!.rpcsByMethod,
    latencyMs: Math.min(...rounds.map((r) => r.latencyMs)),
    rpc: Math.max(...rounds.map((r) => r.rpc)),
    // The round with the least CPU per workflow: the one least disturbed by the machine's other load.
    cpu: rounds
      .map((r) => r.cpu)
      .sort((a, b) => a.total + (a.devserver ?? 0) - (b.total + (b.devserver ?? 0)))[0]!,
  };
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS,
    logger: new DefaultLogger('WARN'),
  });
  // The machine is shared and its load drifts by the minute: the variants run interleaved, twice, and each
  // keeps its better round, so a load spike does not land on one variant only.
  const variants: [string, Variant][] = [
    // What `npm start` would run with its client on the worker's connection: eager start and activities.
    ['in memory', {}],
    ['in memory, client on grpc-js (no eager start)', { eagerStart: false }],
    ['in memory, no eager activities', { eagerActivities: false }],
    ['in memory, worker with gzip (sdk-core default)', { gzip: true }],
    ['durable (dbFilename)', { durable: true }],
    ['in memory, devserver in its own process', { ownProcess: true }],
    ['in memory, 2 workflow threads', { workflowThreads: 2 }],
  ];
  const rounds: Throughput[][] = variants.map(() => []);
  const load = [os.loadavg()[0]!];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yidi-bench-'));
  try {
    for (let round = 0; round < 2; round++) {
      for (const [i, [, variant]] of variants.entries()) {
        const dbFilename = variant.durable ? path.join(dir, `state-${round}.db`) : undefined;
        rounds[i]!.push(await throughput(dbFilename, workflowBundle, variant));
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  load.push(os.loadavg()[0]!);
  const results = rounds.map(best);
  const [memory, grpcClient, polled, gzipped, durable, ownProcess, twoThreads] = results as [
    Throughput,
    Throughput,
    Throughput,
    Throughput,
    Throughput,
    Throughput,
    Throughput,
  ];

  const echo = await bareGrpcEchoRate(5000, 32);
  const startups: number[] = [];
  const bareNode: number[] = [];
  for (let i = 0; i < 5; i++) {
    startups.push(await spawnToFirstLine(BIN, ['--port', '0']));
    bareNode.push(
      await spawnToFirstLine(process.execPath, ['-e', 'console.log("up"); setInterval(() => {}, 1000)']),
    );
  }
  const startup = median(startups);
  const nodeStartup = median(bareNode);

  const cores = os.cpus().length;
  console.log(
    `devserver benchmark (one worker, compiled server, loopback; best of 2 interleaved rounds; ${cores} cores, load average ${load.map((l) => l.toFixed(1)).join(' → ')})`,
  );
  console.log(`  ${'floor: bare grpc-js echo round trips'.padEnd(50)} ${fmt(echo, 'rpc/s')}`);
  console.log(
    `  ${'GetSystemInfo round trips'.padEnd(50)} ${fmt(memory.rpc, 'rpc/s')}   x${(memory.rpc / echo).toFixed(2)} of the floor`,
  );
  for (const [i, [name]] of variants.entries()) {
    const t = results[i]!;
    // What the transport alone allows: no server answers a workflow's RPCs faster than bare grpc-js.
    const floor = echo / t.rpcsPerOne;
    const vsFloor = Number.isNaN(floor)
      ? ''
      : `   x${(t.one / floor).toFixed(2)} of the floor's ${floor.toFixed(0)} wf/s (${t.rpcsPerOne.toFixed(1)} RPCs each)`;
    console.log(`  ${`${name}: one-activity workflow`.padEnd(50)} ${fmt(t.one, 'wf/s')}${vsFloor}`);
    console.log(
      `  ${`${name}: 10 activities + a signal`.padEnd(50)} ${fmt(t.ten, 'wf/s')}   x${(t.ten / t.one).toFixed(2)} of one-activity`,
    );
    console.log(`  ${`${name}: one-activity alone, median of 10`.padEnd(50)} ${fmt(t.latencyMs, 'ms')}`);
    // CPU, not the devserver's answers, is what runs out: if every thread could use the whole machine,
    // `cores / CPU per workflow` is the most this process (and its devserver) could do.
    const c = t.cpu;
    const all = c.total + (c.devserver ?? 0);
    console.log(
      `  ${`${name}: CPU per one-activity workflow`.padEnd(50)} ${fmt(all, 'ms')}   (main thread ${c.main.toFixed(1)}, SDK workflow thread ${c.workflowThread.toFixed(1)}, sdk-core ${c.core.toFixed(1)}, V8 GC ${c.gc.toFixed(1)}, file I/O ${c.io.toFixed(1)}, ended threads ${c.ended.toFixed(1)}${c.devserver === undefined ? '' : `; devserver process ${c.devserver.toFixed(1)}`}) → ${((cores * 1000) / all).toFixed(0)} wf/s if all ${cores} cores were ours`,
    );
  }
  // What the worker and the client ask per workflow: the transport's share of the cost scales with it.
  console.log(
    `  ${'in memory: RPCs per one-activity workflow'.padEnd(50)} ${[...memory.rpcsByMethod].map(([m, n]) => `${m} ${n.toFixed(2)}`).join(', ')}`,
  );
  console.log(
    `  ${'eager start vs grpc-js client, one / ten'.padEnd(50)} ${fmt(memory.one / grpcClient.one, 'x')}   ${fmt(memory.ten / grpcClient.ten, 'x')}`,
  );
  console.log(
    `  ${'eager vs polled activities, one / ten'.padEnd(50)} ${fmt(memory.one / polled.one, 'x')}   ${fmt(memory.ten / polled.ten, 'x')}`,
  );
  console.log(
    `  ${'2 workflow threads vs 1, one / ten'.padEnd(50)} ${fmt(twoThreads.one / memory.one, 'x')}   ${fmt(twoThreads.ten / memory.ten, 'x')}`,
  );
  console.log(`  ${'without gzip vs with, one-activity'.padEnd(50)} ${fmt(memory.one / gzipped.one, 'x')}`);
  console.log(
    `  ${'durable vs in memory, one / ten'.padEnd(50)} ${fmt(durable.one / memory.one, 'x')}   ${fmt(durable.ten / memory.ten, 'x')}   (target x0.80)`,
  );
  // With the devserver in its own process, this process is the SDK worker and the client only.
  const worker = ownProcess.cpu;
  console.log(
    `  ${'worker + client CPU at the target rate'.padEnd(50)} ${fmt((worker.total * TARGET_ONE_ACTIVITY_PER_S) / 1000, 'cores')}   (${worker.total.toFixed(1)} ms per workflow x ${TARGET_ONE_ACTIVITY_PER_S}/s; SDK workflow thread alone ${((worker.workflowThread * TARGET_ONE_ACTIVITY_PER_S) / 1000).toFixed(2)} cores; devserver ${(((worker.devserver ?? 0) * TARGET_ONE_ACTIVITY_PER_S) / 1000).toFixed(2)} cores)`,
  );
  const bestOne = Math.max(...results.map((r) => r.one));
  console.log(
    `  ${'best one-activity rate vs target'.padEnd(50)} ${fmt(bestOne / TARGET_ONE_ACTIVITY_PER_S, 'x')}   (target ${TARGET_ONE_ACTIVITY_PER_S} wf/s)`,
  );
  console.log(
    `  ${'start-up, spawn to ready line (median 5)'.padEnd(50)} ${fmt(startup, 'ms')}   x${(startup / nodeStartup).toFixed(2)} of a bare node start (${nodeStartup.toFixed(0)} ms); budget ${TARGET_STARTUP_MS} ms; runs: ${startups.map((s) => s.toFixed(0)).join(', ')}`,
  );
  const ok = bestOne >= TARGET_ONE_ACTIVITY_PER_S && startup < TARGET_STARTUP_MS;
  console.log(ok ? 'targets met' : 'targets NOT met');
}

const watchdog = setTimeout(() => {
  console.error('bench: gave up after 8 minutes');
  process.exit(1);
}, 480_000);
watchdog.unref();

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
