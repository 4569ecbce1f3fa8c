// Every WorkflowService method gets garbage through a raw gRPC client: random bytes, truncated
// messages and messages with required fields missing. Each answer must be a proper gRPC status
// (never INTERNAL/UNKNOWN, never a crash, never a hang outside long polls), and afterwards the
// server must still run a normal workflow. Seeded, bounded, loopback only.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import * as grpc from '@grpc/grpc-js';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities, Probe } from './activities';
import { bundleTestWorkflows, DEVSERVER_BIN, uniq } from './env';
import { oneActivity } from './workflows/activity-workflows';

// The reflection Root behind @temporalio/proto; only the parts used here are typed.
interface Field {
  name: string;
  type: string;
  repeated: boolean;
  map: boolean;
  resolvedType: ReflectType | ReflectEnum | null;
}
interface ReflectEnum {
  values: Record<string, number>;
}
interface ReflectType {
  fullName: string;
  fieldsArray: Field[];
  fromObject(o: object): unknown;
  encode(m: unknown): { finish(): Uint8Array };
}
interface ReflectMethod {
  name: string;
  requestStream?: boolean;
  responseStream?: boolean;
  resolve(): void;
  resolvedRequestType: ReflectType | null;
}
interface ReflectRoot {
  resolveAll(): ReflectRoot;
  lookupService(name: string): { methodsArray: ReflectMethod[] };
}

const SERVICE = 'temporal.api.workflowservice.v1.WorkflowService';
const LONG_POLLS = /^(Poll|GetWorkflowExecutionHistory$|UpdateWorkflowExecution$|ExecuteMultiOperation$)/;
const FORBIDDEN = new Set([grpc.status.INTERNAL, grpc.status.UNKNOWN, grpc.status.UNAVAILABLE]);

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A plausible value for every field, a couple of levels deep, so truncations cut real structure. */
function fill(
  type: ReflectType,
  namespace: string,
  random: () => number,
  depth = 0,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of type.fieldsArray) {
    if (f.map) continue;
    let v: unknown;
    if (f.name === 'namespace') v = namespace;
    else if (f.resolvedType && 'fieldsArray' in f.resolvedType) {
      if (depth >= 2) continue;
      v = fill(f.resolvedType, namespace, random, depth + 1);
    } else if (f.resolvedType && 'values' in f.resolvedType) {
      v = Object.values(f.resolvedType.values)[1] ?? 0;
    } else if (f.type === 'string') v = f.name.toLowerCase().includes('id') ? `fuzz-${f.name}` : 'fuzz';
    else if (f.type === 'bytes') v = Buffer.from(Array.from({ length: 8 }, () => Math.floor(random() * 256)));
    else if (f.type === 'bool') v = true;
    else if (/int|fixed/.test(f.type)) v = 1;
    else if (f.type === 'double' || f.type === 'float') v = 1.5;
    else continue;
    out[f.name] = f.repeated ? [v] : v;
  }
  return out;
}

function inputs(method: ReflectMethod, random: () => number): { label: string; bytes: Buffer }[] {
  method.resolve();
  const type = method.resolvedRequestType!;
  // Namespace-changing methods aim at a namespace that does not exist, so `default` survives the fuzz.
  const namespace = /Namespace/.test(method.name) ? 'fuzz-namespace' : 'default';
  const encode = (o: object) => Buffer.from(type.encode(type.fromObject(o)).finish());
  const full = encode(fill(type, namespace, random));
  const out = [
    { label: 'empty message', bytes: Buffer.alloc(0) },
    { label: 'namespace only', bytes: encode({ namespace }) },
    { label: 'unknown namespace, all fields', bytes: encode(fill(type, 'no-such-namespace', random)) },
  ];
  for (let i = 0; i < 2 && full.length > 1; i++) {
    const cut = 1 + Math.floor(random() * (full.length - 1));
    out.push({ label: `truncated at ${cut}/${full.length}`, bytes: full.subarray(0, cut) });
  }
  for (let i = 0; i < 3; i++) {
    const len = 1 + Math.floor(random() * 64);
    out.push({
      label: `random ${len} bytes`,
      bytes: Buffer.from(Array.from({ length: len }, () => Math.floor(random() * 256))),
    });
  }
  return out;
}

function call(client: grpc.Client, method: string, bytes: Buffer, deadlineMs: number): Promise<grpc.status> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      `/${SERVICE}/${method}`,
      (b: Buffer) => b,
      (b: Buffer) => b,
      bytes,
      new grpc.Metadata(),
      { deadline: Date.now() + deadlineMs },
      (err) => resolve(err ? (err.code ?? grpc.status.UNKNOWN) : grpc.status.OK),
    );
  });
}

let server: ChildProcess;
let address: string;

beforeAll(async () => {
  server = spawn(DEVSERVER_BIN, ['--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await Promise.race([
    once(server.stdout!, 'data'),
    once(server, 'exit').then(() => {
      throw new Error('devserver exited before it was ready');
    }),
  ])) as [Buffer];
  address = /listening on (\S+)/.exec(line.toString())![1]!;
});

afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = once(server, 'exit');
    server.kill('SIGTERM');
    await exited;
  }
});

test('every WorkflowService method answers garbage with a proper gRPC status, and the server survives', async () => {
  // require, not import: protobufjs Root methods live on its prototype, which ESM interop drops.
  const root = (require('@temporalio/proto/protos/root') as ReflectRoot).resolveAll();
  const methods = root
    .lookupService(SERVICE)
    .methodsArray.filter((m) => !m.requestStream && !m.responseStream);
  expect(methods.length).toBeGreaterThan(50);

  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const random = rng(20240601);
  const bad: string[] = [];
  const seen = new Map<string, number>();
  const jobs = methods.flatMap((m) => inputs(m, random).map((input) => ({ method: m.name, ...input })));
  for (let i = 0; i < jobs.length; i += 32) {
    await Promise.all(
      jobs.slice(i, i + 32).map(async (job) => {
        const code = await call(client, job.method, job.bytes, 1500);
        const name = grpc.status[code] ?? String(code);
        seen.set(name, (seen.get(name) ?? 0) + 1);
        const hang = code === grpc.status.DEADLINE_EXCEEDED && !LONG_POLLS.test(job.method);
        if (FORBIDDEN.has(code) || hang) bad.push(`${job.method} (${job.label}): ${name}`);
      }),
    );
  }
  client.close();
  expect(bad).toEqual([]);
  expect(seen.get('INVALID_ARGUMENT') ?? 0).toBeGreaterThan(0);
  expect(server.exitCode).toBeNull();

  // Still a working server: a normal workflow with an activity runs to completion.
  const workflowBundle = await bundleTestWorkflows();
  const connection = await Connection.connect({ address });
  const nativeConnection = await NativeConnection.connect({ address });
  try {
    const taskQueue = uniq('after-fuzz');
    const worker = await Worker.create({
      connection: nativeConnection,
      taskQueue,
      workflowBundle,
      activities: createActivities(new Probe()),
    });
    const result = await worker.runUntil(
      new Client({ connection }).workflow.execute(oneActivity, {
        taskQueue,
        workflowId: uniq('after-fuzz'),
        args: ['survivor'],
      }),
    );
    expect(result).toBe('Hello, survivor!');
  } finally {
    await connection.close();
    await nativeConnection.close();
  }
}, 120_000);
