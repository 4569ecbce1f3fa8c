// Devserver benchmark: `npm run bench devserver`. Starts the compiled devserver in-process on a loopback port,
// measures workflow throughput with one worker, in memory and (where startDevServer takes `dbFilename`)
// durable, and the executable's start-up; prints each figure with its ratio to a floor measured in the
// same run (a bare grpc-js echo, a bare node start). Bounded; stops by itself.
import { spawn } from 'node:child_process';
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
import type { DevServerOptions } from '../devserver/index';
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

function fmt(n: number, unit: string): string {
  return `${n.toFixed(n < 10 ? 2 : 0).padStart(8)} ${unit}`;
}

interface Throughput {
  one: number;
  ten: number;
  rpcsPerOne: number;
  latencyMs: number;
  rpc: number;
}

/** One worker against a devserver started with `options`: one-activity and ten-activity workflows per second. */
async function throughput(
  options: DevServerOptions,
  workflowBundle: WorkflowBundleWithSourceMap,
  { gzip = true, eager = true } = {},
): Promise<Throughput> {
  const server = await compiledDevServer().startDevServer({ port: 0, ...options });
  const connection = await Connection.connect({ address: server.address });
  const nativeConnection = await NativeConnection.connect({
    address: server.address,
    grpcCompression: { codec: gzip ? 'gzip' : 'none' },
  });
  const client = new Client({ connection });
  const taskQueue = 'bench';
  try {
    const worker = await Worker.create({
      connection: nativeConnection,
      taskQueue,
      workflowBundle,
      activities: createActivities(new Probe()),
      // 0: sdk-core never asks for eager activities, so each one costs a PollActivityTaskQueue round trip.
      ...(eager ? {} : { maxEagerActivityReservationsPerWorkflowTask: 0 }),
    });
    return await worker.runUntil(async () => {
      let id = 0;
      // Warm-up: JIT, worker pollers, sticky queues.
      await rate(50, 25, () =>
        client.workflow.execute(oneActivity, { taskQueue, workflowId: `warm-${id++}`, args: ['w'] }),
      );
      const rpc = await rate(1000, 32, () => connection.workflowService.getSystemInfo({}));
      // One at a time: latency, not throughput (the gap to 1/rate shows where time goes).
      const lat: number[] = [];
      for (let i = 0; i < 10; i++) {
        const t = performance.now();
        await client.workflow.execute(oneActivity, { taskQueue, workflowId: `seq-${id++}`, args: ['s'] });
        lat.push(performance.now() - t);
      }
      const before = total(server.rpcCounts());
      const one = await rate(400, 100, () =>
        client.workflow.execute(oneActivity, { taskQueue, workflowId: `one-${id++}`, args: ['b'] }),
      );
      const rpcsPerOne = (total(server.rpcCounts()) - before) / 400;
      const ten = await rate(60, 30, async () => {
        const handle = await client.workflow.start(tenActivitiesAndSignal, {
          taskQueue,
          workflowId: `ten-${id++}`,
        });
        await handle.signal('finish');
        return handle.result();
      });
      return { one, ten, rpcsPerOne, latencyMs: median(lat), rpc };
    });
  } finally {
    await connection.close();
    await nativeConnection.close();
    await server.stop();
  }
}

/** The better of several rounds, figure by figure. */
function best(rounds: Throughput[]): Throughput {
  return {
    one: Math.max(...rounds.map((r) => r.one)),
    ten: Math.max(...rounds.map((r) => r.ten)),
    rpcsPerOne: Math.min(...rounds.map((r) => r.rpcsPerOne)),
    latencyMs: Math.min(...rounds.map((r) => r.latencyMs)),
    rpc: Math.max(...rounds.map((r) => r.rpc)),
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
  const variants = [
    {},
    // sdk-core gzips its requests by default; `npm start` turns that off for the embedded devserver.
    { gzip: false },
    { eager: false },
    // Durable (--db-filename: a journal write + fdatasync per group commit), a fresh file each round.
    { durable: true },
  ];
  const rounds: Throughput[][] = [[], [], [], []];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yidi-bench-'));
  try {
    for (let round = 0; round < 2; round++) {
      for (const [i, { durable, ...variant }] of variants.entries()) {
        const options: DevServerOptions = durable ? { dbFilename: path.join(dir, `state-${round}.db`) } : {};
        rounds[i]!.push(await throughput(options, workflowBundle, variant));
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const [memory, plain, polled, durable] = rounds.map(best) as [
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

  console.log(
    'devserver benchmark (one worker, compiled in-process server, loopback; best of 2 interleaved rounds)',
  );
  console.log(`  ${'floor: bare grpc-js echo round trips'.padEnd(44)} ${fmt(echo, 'rpc/s')}`);
  console.log(
    `  ${'GetSystemInfo round trips'.padEnd(44)} ${fmt(memory.rpc, 'rpc/s')}   x${(memory.rpc / echo).toFixed(2)} of the floor`,
  );
  const rows: [string, Throughput][] = [
    ['in memory', memory],
    ['in memory, worker without gzip', plain],
    ['in memory, no eager activities', polled],
    ['durable (dbFilename)', durable],
  ];
  for (const [name, t] of rows) {
    // What the transport alone allows: no server answers a workflow's RPCs faster than bare grpc-js.
    const ceiling = echo / t.rpcsPerOne;
    console.log(
      `  ${`${name}: one-activity workflow`.padEnd(44)} ${fmt(t.one, 'wf/s')}   x${(t.one / ceiling).toFixed(2)} of the floor's ${ceiling.toFixed(0)} wf/s (${t.rpcsPerOne.toFixed(1)} RPCs each)`,
    );
    console.log(
      `  ${`${name}: 10 activities + a signal`.padEnd(44)} ${fmt(t.ten, 'wf/s')}   x${(t.ten / t.one).toFixed(2)} of one-activity`,
    );
    console.log(`  ${`${name}: one-activity alone, median of 10`.padEnd(44)} ${fmt(t.latencyMs, 'ms')}`);
  }
  console.log(`  ${'without gzip vs with, one-activity'.padEnd(44)} ${fmt(plain.one / memory.one, 'x')}`);
  console.log(
    `  ${'eager vs polled activities, one / ten'.padEnd(44)} ${fmt(memory.one / polled.one, 'x')}   ${fmt(memory.ten / polled.ten, 'x')}`,
  );
  console.log(
    `  ${'durable vs in memory, one / ten'.padEnd(44)} ${fmt(durable.one / memory.one, 'x')}   ${fmt(durable.ten / memory.ten, 'x')}   (target x0.80)`,
  );
  console.log(
    `  ${'one-activity in memory vs target'.padEnd(44)} ${fmt(Math.max(memory.one, plain.one) / TARGET_ONE_ACTIVITY_PER_S, 'x')}   (target ${TARGET_ONE_ACTIVITY_PER_S} wf/s)`,
  );
  console.log(
    `  ${'start-up, spawn to ready line (median 5)'.padEnd(44)} ${fmt(startup, 'ms')}   x${(startup / nodeStartup).toFixed(2)} of a bare node start (${nodeStartup.toFixed(0)} ms); budget ${TARGET_STARTUP_MS} ms; runs: ${startups.map((s) => s.toFixed(0)).join(', ')}`,
  );
  const ok = Math.max(memory.one, plain.one) >= TARGET_ONE_ACTIVITY_PER_S && startup < TARGET_STARTUP_MS;
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
