// Devserver benchmark: `npx tsx bench/devserver.ts`. Starts the devserver in-process on a loopback
// port, measures workflow throughput with one worker, and the executable's start-up time; prints each
// figure with its ratio to baselines measured in the same run. Bounded; stops by itself.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { type DevServerOptions, startDevServer } from '../devserver/index';
import { createActivities, Probe } from '../test/devserver/activities';
import { oneActivity, tenActivitiesAndSignal } from '../test/devserver/workflows/activity-workflows';
import { hello } from '../test/devserver/workflows/basics';

const ROOT = path.resolve(__dirname, '..');
const BIN = path.join(ROOT, 'bin/yidi-devserver');
const WORKFLOWS = path.join(ROOT, 'test/devserver/workflows/index.ts');
const TARGET_ONE_ACTIVITY_PER_S = 300;
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

/** Spawns the executable until its ready line; returns milliseconds. */
async function startupMs(): Promise<number> {
  const started = performance.now();
  const child = spawn(BIN, ['--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`devserver exited ${code} before ready`)));
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

/** (a) on a fresh in-process server with these options: warm-up, then `total` workflows, 100 at a time. */
async function oneActivityRate(
  workflowBundle: Awaited<ReturnType<typeof bundleWorkflowCode>>,
  opts: DevServerOptions,
  total: number,
): Promise<number> {
  const server = await startDevServer({ port: 0, ...opts });
  const connection = await Connection.connect({ address: server.address });
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  try {
    const client = new Client({ connection });
    const worker = await Worker.create({
      connection: nativeConnection,
      taskQueue: 'bench',
      workflowBundle,
      activities: createActivities(new Probe()),
    });
    return await worker.runUntil(async () => {
      let id = 0;
      const run = () =>
        client.workflow.execute(oneActivity, { taskQueue: 'bench', workflowId: `d-${id++}`, args: ['b'] });
      await rate(50, 25, run);
      return rate(total, 100, run);
    });
  } finally {
    await connection.close();
    await nativeConnection.close();
    await server.stop();
  }
}

/**
 * Durable (--db-filename: a journal write + fdatasync per group commit) against in memory, in
 * alternating pairs so a change in the machine's load hits both alike.
 */
async function durableRatio(workflowBundle: Awaited<ReturnType<typeof bundleWorkflowCode>>): Promise<{
  memory: number;
  durable: number;
}> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yidi-bench-'));
  let memory = 0;
  let durable = 0;
  try {
    for (let i = 0; i < 2; i++) {
      memory += await oneActivityRate(workflowBundle, {}, 300);
      durable += await oneActivityRate(workflowBundle, { dbFilename: path.join(dir, `state-${i}.db`) }, 300);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return { memory: memory / 2, durable: durable / 2 };
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS,
    logger: new DefaultLogger('WARN'),
  });
  const server = await startDevServer({ port: 0 });
  const connection = await Connection.connect({ address: server.address });
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const client = new Client({ connection });
  const taskQueue = 'bench';
  const worker = await Worker.create({
    connection: nativeConnection,
    taskQueue,
    workflowBundle,
    activities: createActivities(new Probe()),
  });
  const rows: [string, number, string][] = [];
  let rpcsPerWorkflow = 0;
  let latencyMs = 0;
  try {
    await worker.runUntil(async () => {
      let id = 0;
      // Warm-up: JIT, worker pollers, sticky queues.
      await rate(50, 25, () =>
        client.workflow.execute(oneActivity, { taskQueue, workflowId: `warm-${id++}`, args: ['w'] }),
      );

      const rpc = await rate(3000, 32, () => connection.workflowService.getSystemInfo({}));
      // One at a time: latency, not throughput (the gap to 1/rate shows where time goes).
      const lat: number[] = [];
      for (let i = 0; i < 20; i++) {
        const t = performance.now();
        await client.workflow.execute(oneActivity, { taskQueue, workflowId: `seq-${id++}`, args: ['s'] });
        lat.push(performance.now() - t);
      }
      latencyMs = median(lat);
      const empty = await rate(600, 100, () =>
        client.workflow.execute(hello, { taskQueue, workflowId: `empty-${id++}`, args: ['b'] }),
      );
      const before = total(server.rpcCounts());
      const one = await rate(600, 100, () =>
        client.workflow.execute(oneActivity, { taskQueue, workflowId: `one-${id++}`, args: ['b'] }),
      );
      rpcsPerWorkflow = (total(server.rpcCounts()) - before) / 600;
      const ten = await rate(100, 50, async () => {
        const handle = await client.workflow.start(tenActivitiesAndSignal, {
          taskQueue,
          workflowId: `ten-${id++}`,
        });
        await handle.signal('finish');
        return handle.result();
      });
      rows.push(['baseline: GetSystemInfo round trips', rpc, 'rpc/s']);
      rows.push(['baseline: empty workflow', empty, 'wf/s']);
      rows.push(['(a) one-activity workflow', one, 'wf/s']);
      rows.push(['(b) 10 activities + a signal', ten, 'wf/s']);
    });
  } finally {
    await connection.close();
    await nativeConnection.close();
    await server.stop();
  }

  // The same (a) with the devserver in its own process (bin/yidi-devserver): shows how much of the
  // in-process figure is the server sharing one event loop with the client and the worker.
  const child = spawn(BIN, ['--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const address = await new Promise<string>((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve(/listening on (\S+)/.exec(d.toString())?.[1] ?? ''));
    child.once('exit', (code) => reject(new Error(`devserver exited ${code} before ready`)));
  });
  const conn2 = await Connection.connect({ address });
  const native2 = await NativeConnection.connect({ address });
  try {
    const client2 = new Client({ connection: conn2 });
    const worker2 = await Worker.create({
      connection: native2,
      taskQueue,
      workflowBundle,
      activities: createActivities(new Probe()),
    });
    await worker2.runUntil(async () => {
      let id = 0;
      await rate(50, 25, () =>
        client2.workflow.execute(oneActivity, { taskQueue, workflowId: `warm-${id++}`, args: ['w'] }),
      );
      const one = await rate(600, 100, () =>
        client2.workflow.execute(oneActivity, { taskQueue, workflowId: `one-${id++}`, args: ['b'] }),
      );
      rows.push(['(a) with the server in its own process', one, 'wf/s']);
    });
  } finally {
    await conn2.close();
    await native2.close();
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }

  const persisted = await durableRatio(workflowBundle);
  const echo = await bareGrpcEchoRate(5000, 32);
  const startups: number[] = [];
  for (let i = 0; i < 5; i++) startups.push(await startupMs());
  const startup = median(startups);

  const [rpc, empty, one, ten, oneApart] = rows.map((r) => r[1]) as [number, number, number, number, number];
  console.log('devserver benchmark (one worker, in-process server, loopback)');
  for (const [name, value, unit] of rows) {
    console.log(
      `  ${name.padEnd(38)} ${fmt(value, unit)}   x${(value / empty).toFixed(2)} of empty wf, 1/${(rpc / value).toFixed(1)} of rpc`,
    );
  }
  console.log(
    `  ${'(a) vs target'.padEnd(38)} ${fmt(one / TARGET_ONE_ACTIVITY_PER_S, 'x')}   (target ${TARGET_ONE_ACTIVITY_PER_S} wf/s)`,
  );
  // What the transport alone allows: no server can answer a workflow's RPCs faster than bare grpc-js.
  const ceiling = echo / rpcsPerWorkflow;
  console.log(
    `  ${'floor: bare grpc-js echo round trips'.padEnd(38)} ${fmt(echo, 'rpc/s')}   GetSystemInfo is x${(rpc / echo).toFixed(2)} of it`,
  );
  console.log(`  ${'RPCs the server answers per (a)'.padEnd(38)} ${fmt(rpcsPerWorkflow, 'rpc')}`);
  console.log(
    `  ${'(a) transport ceiling: echo / RPCs'.padEnd(38)} ${fmt(ceiling, 'wf/s')}   (a) reaches x${(one / ceiling).toFixed(2)} of it; the target is x${(TARGET_ONE_ACTIVITY_PER_S / ceiling).toFixed(2)} of it`,
  );
  console.log(`  ${'one-activity workflow alone, median of 20'.padEnd(38)} ${fmt(latencyMs, 'ms')}`);
  console.log(`  ${'(b) relative to (a)'.padEnd(38)} ${fmt(ten / one, 'x')}`);
  console.log(
    `  ${'(a) durable (--db-filename)'.padEnd(38)} ${fmt(persisted.durable, 'wf/s')}   x${(persisted.durable / persisted.memory).toFixed(2)} of in memory (${persisted.memory.toFixed(0)} wf/s, alternating pairs; target x0.80)`,
  );
  console.log(
    `  ${'start-up, spawn to ready line (median 5)'.padEnd(38)} ${fmt(startup, 'ms')}   ${(startup / TARGET_STARTUP_MS).toFixed(2)} of the ${TARGET_STARTUP_MS} ms budget; runs: ${startups.map((s) => s.toFixed(0)).join(', ')}`,
  );
  const ok = Math.max(one, oneApart) >= TARGET_ONE_ACTIVITY_PER_S && startup < TARGET_STARTUP_MS;
  console.log(ok ? 'targets met' : 'targets NOT met');
}

const watchdog = setTimeout(() => {
  console.error('bench: gave up after 5 minutes');
  process.exit(1);
}, 300_000);
watchdog.unref();

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
