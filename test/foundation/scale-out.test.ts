// The scale-out shape: two `npm run worker` processes (bin/worker.ts, as an operator starts them) on one
// Temporal and one database. Both take workflow tasks: the worker identity of each workflow task
// completion names which one did. And `npm run api` (bin/api.ts) serves on the same shared servers.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { FilingInput } from '../../cases';
import { type DevServer, startDevServer } from '../../devserver/index';
import { createTestDatabase, type TestDatabase } from '../support/db';
import { eventually } from '../support/eventually';

const root = path.resolve(__dirname, '..', '..');

let server: DevServer;
let db: TestDatabase;
let connection: Connection;
const workers: { child: ChildProcess; exited: Promise<number | null>; output: () => string }[] = [];

jest.setTimeout(240_000);

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startDevServer({ port: 0 });
  connection = await Connection.connect({ address: server.address });
});

afterAll(async () => {
  for (const w of workers) w.child.kill('SIGTERM');
  await Promise.all(workers.map((w) => w.exited));
  await connection?.close();
  await server?.stop();
  await db?.drop();
});

function startWorker(env: NodeJS.ProcessEnv) {
  return startRole('bin/worker.ts', env, /ready: worker (\S+) on task queue/);
}

/** Spawns an entry point; resolves with the first group of `ready` in its output. */
function startRole(script: string, env: NodeJS.ProcessEnv, ready: RegExp) {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    output += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const worker = { child, exited, output: () => output };
  workers.push(worker);
  const identity = new Promise<string>((resolve, reject) => {
    const check = () => {
      const m = ready.exec(output);
      if (m?.[1]) resolve(m[1]);
    };
    child.stdout?.on('data', check);
    exited.then((code) => reject(new Error(`${script} exited ${code} before ready:\n${output}`)));
  });
  return identity;
}

function filing(n: number): FilingInput {
  return {
    filing_id: `filing-scale-${process.pid}-${n}`,
    psn_no: 'P-scale-out',
    category: 'other_temporary',
    mdtrtarea_admdvs: '510100',
    fixmedins_code: null,
    begndate: '2026-12-10',
    enddate: null,
    commitment: true,
    emergency_adm_date: null,
    retro: null,
    referral: null,
    form: {},
    submitted_by: 'scale-out-test',
  };
}

test('without the shared servers, a worker refuses to start with one line and exit code 78', async () => {
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: db.url };
  delete env.TEMPORAL_ADDRESS;
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/worker.ts'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(code).toBe(78);
  expect(stderr).toMatch(/TEMPORAL_ADDRESS/);
});

test('two worker processes on one task queue both take workflow tasks', async () => {
  const taskQueue = `scale-out-${process.pid}`;
  const env = { TEMPORAL_ADDRESS: server.address, DATABASE_URL: db.url, TEMPORAL_TASK_QUEUE: taskQueue };
  // Started together: both apply the migrations at once, which the advisory lock serialises.
  const identities = await Promise.all([startWorker(env), startWorker(env)]);
  expect(new Set(identities).size).toBe(2);

  const client = new Client({ connection });
  const seen = new Set<string>();
  // One at a time: a task goes to the longest-waiting poll, and a worker polls again after each task,
  // so the workers take turns within a few workflows.
  for (let n = 0; n < 40 && seen.size < 2; n++) {
    const handle = await client.workflow.start('filingWorkflow', {
      taskQueue,
      workflowId: filing(n).filing_id,
      args: [filing(n)],
    });
    const identity = await eventually(async () => {
      const history = await handle.fetchHistory();
      const completed = history.events?.find((e) => e.workflowTaskCompletedEventAttributes);
      return completed?.workflowTaskCompletedEventAttributes?.identity ?? undefined;
    }, 60_000);
    seen.add(identity);
  }
  expect([...seen].sort()).toEqual([...identities].sort());
});

test('npm run api serves on the shared servers, and refuses to start without a shared token secret', async () => {
  const shared = { TEMPORAL_ADDRESS: server.address, DATABASE_URL: db.url, PORT: '0' };
  const noSecret: NodeJS.ProcessEnv = { ...process.env, ...shared };
  delete noSecret.YIDI_TOKEN_SECRET;
  const refused = spawn(process.execPath, ['--import', 'tsx', 'bin/api.ts'], {
    cwd: root,
    env: noSecret,
    stdio: 'ignore',
  });
  expect(await new Promise((resolve) => refused.once('exit', resolve))).toBe(78);

  const url = await startRole(
    'bin/api.ts',
    { ...shared, YIDI_TOKEN_SECRET: 'scale-out-test' },
    /ready: (\S+)/,
  );
  const health = await fetch(`${url}/healthz`);
  expect(health.status).toBe(200);
  const body = (await health.json()) as { database: { kind: string }; temporal: { kind: string } };
  expect(body.database.kind).toBe('external');
  expect(body.temporal.kind).toBe('external');
});
