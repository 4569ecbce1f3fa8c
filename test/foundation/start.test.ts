import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { cstDate } from '../../cases';
import { EXIT_CONFIG } from '../../config';
import { DEMO_PASSWORD } from '../../db/seed-data';
import { freePort } from '../support/ports';

/**
 * `npm start` as an operator runs it: a real process on embedded defaults, stopped by signals.
 * Each test gets its own data folder and ports, so it never touches the developer's .data/.
 */
const root = path.resolve(__dirname, '..', '..');
// Each test starts the whole platform twice (PostgreSQL, migrations, seed, devserver, worker, API): ~20 s
// on a quiet machine, over a minute on a busy CI box. Bounded generously, never timed.
jest.setTimeout(180_000);

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function start(env: NodeJS.ProcessEnv): Started {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/start.ts'], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Resolves when the process prints its ready line; rejects if it exits first. */
function ready(started: Started): Promise<string> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = /ready: (http:\/\/\S+)/.exec(started.output());
      if (match?.[1]) {
        started.child.stdout?.off('data', check);
        resolve(match[1]);
      }
    };
    started.child.stdout?.on('data', check);
    started.exited.then((code) => reject(new Error(`exited ${code} before ready:\n${started.output()}`)));
    check();
  });
}

/** PIDs of postgres servers whose command line names this data folder. */
function postgresFor(dataDir: string): number[] {
  const result = spawnSync('pgrep', ['-f', `postgres -D ${dataDir} `], { encoding: 'utf8' });
  return result.stdout.split('\n').filter(Boolean).map(Number);
}

async function waitFor(predicate: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function query<T extends Record<string, unknown>>(pgPort: number, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: `postgres://postgres@127.0.0.1:${pgPort}/yidi` });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

let dataRoot: string;
let env: NodeJS.ProcessEnv;
let pgPort: number;
const running: Started[] = [];

beforeEach(async () => {
  dataRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'yidi-start-'));
  fs.chmodSync(dataRoot, 0o755);
  pgPort = await freePort();
  // These tests are about the process's life; the demo cases (api/demo.ts) have their own test.
  env = {
    YIDI_DATA_DIR: dataRoot,
    PORT: String(await freePort()),
    EMBEDDED_PG_PORT: String(pgPort),
    YIDI_DEMO: '0',
  };
  delete env.DATABASE_URL;
});

afterEach(async () => {
  for (const started of running.splice(0)) {
    if (started.child.exitCode === null && started.child.signalCode === null) {
      started.child.kill('SIGINT');
      await started.exited;
    }
  }
  for (const pid of postgresFor(path.join(dataRoot, 'postgres'))) process.kill(pid, 'SIGINT');
  await waitFor(() => postgresFor(path.join(dataRoot, 'postgres')).length === 0, 'postgres to stop');
  fs.rmSync(dataRoot, { recursive: true, force: true });
});

function track(started: Started): Started {
  running.push(started);
  return started;
}

test('starts everything on embedded defaults, serves /healthz and the UI, and stops on Ctrl-C without orphans', async () => {
  const first = track(start(env));
  const url = await ready(first);
  const health = await fetch(`${url}/healthz`);
  expect(health.status).toBe(200);
  const body = (await health.json()) as {
    database: Record<string, unknown>;
    temporal: Record<string, unknown>;
  };
  expect(body.database).toMatchObject({ kind: 'embedded', reachable: true });
  expect(body.temporal).toMatchObject({ kind: 'embedded', reachable: true, namespace: 'default' });
  // The workbench: the built Vue app's page, with its script.
  const page = await (await fetch(url)).text();
  expect(page).toContain('<title>异地就医经办</title>');
  expect(page).toMatch(/<script type="module"[^>]* src="\/assets\/index-[^"]+\.js">/);
  expect(postgresFor(path.join(dataRoot, 'postgres'))).toHaveLength(1);

  first.child.kill('SIGINT');
  expect(await first.exited).toBe(0);
  expect(first.output()).toContain('stopped');
  expect(postgresFor(path.join(dataRoot, 'postgres'))).toEqual([]);
  expect(fs.existsSync(path.join(dataRoot, 'postgres.owner'))).toBe(false);
});

test('a second start on the same data folder is refused and leaves the first one running', async () => {
  const first = track(start(env));
  const url = await ready(first);
  await query(pgPort, `insert into admdvs values ('990100', '测试区', '990000')`);

  const second = track(start({ ...env, PORT: String(await freePort()) }));
  expect(await second.exited).toBe(1);
  expect(second.output()).toMatch(/cannot start: the database folder .* is in use by process \d+/);

  expect((await fetch(`${url}/healthz`)).status).toBe(200);
  expect(await query(pgPort, `select admdvs from admdvs where admdvs = '990100'`)).toEqual([
    { admdvs: '990100' },
  ]);
});

test('after a SIGKILL, the embedded database stops by itself and the next start finds its data intact', async () => {
  const first = track(start(env));
  await ready(first);
  await query(pgPort, `insert into admdvs values ('990200', '断电测试区', '990000')`);

  first.child.kill('SIGKILL');
  await first.exited;
  // The watchdog notices the dead parent and shuts PostgreSQL down cleanly.
  await waitFor(
    () => postgresFor(path.join(dataRoot, 'postgres')).length === 0,
    'the orphaned postgres to stop',
  );

  const again = track(start(env));
  const url = await ready(again);
  expect((await fetch(`${url}/healthz`)).status).toBe(200);
  expect(await query(pgPort, `select admdvs_name from admdvs where admdvs = '990200'`)).toEqual([
    { admdvs_name: '断电测试区' },
  ]);
});

test('when the watchdog dies too, the next start stops the orphaned PostgreSQL and reuses its data', async () => {
  const first = track(start(env));
  await ready(first);
  await query(pgPort, `insert into admdvs values ('990300', '孤儿进程测试区', '990000')`);
  const [orphan] = postgresFor(path.join(dataRoot, 'postgres'));
  const watchdog = spawnSync('pgrep', ['-f', `while kill -0 ${first.child.pid} `], {
    encoding: 'utf8',
  }).stdout.trim();
  expect(watchdog).not.toBe('');
  process.kill(Number(watchdog), 'SIGKILL');
  first.child.kill('SIGKILL');
  await first.exited;
  expect(postgresFor(path.join(dataRoot, 'postgres'))).toEqual([orphan]);

  const again = track(start(env));
  const url = await ready(again);
  expect(again.output()).toContain(`stopping PostgreSQL ${orphan} left behind by a previous run`);
  expect((await fetch(`${url}/healthz`)).status).toBe(200);
  expect(await query(pgPort, `select admdvs from admdvs where admdvs = '990300'`)).toEqual([
    { admdvs: '990300' },
  ]);
});

/** The parts of the API's answers this test reads. */
interface Answer {
  id?: string;
  outcome?: string;
  items?: { id: string; case_id: string }[];
  filing?: { status: string };
  referral?: { status: string; trt_dcla_detl_sn: string | null };
}

/** Calls the running platform's API as `username` (demo password), answering status and JSON body. */
async function api(url: string, username: string, method: string, route: string, body?: unknown) {
  const login = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: DEMO_PASSWORD }),
  });
  const { token } = (await login.json()) as { token: string };
  const res = await fetch(`${url}/api/v1${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Answer };
}

/** Polls the API until `check` holds (the case moves on by itself after a restart). */
async function until(what: string, read: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await read())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

test('a referral under review survives a SIGKILL of npm start: after the restart staff approve it and it becomes active', async () => {
  const first = track(start(env));
  let url = await ready(first);
  const filed = await api(url, 'zhangwei', 'POST', '/filings', {
    category: 'referral',
    mdtrtarea_admdvs: '510100',
    fixmedins_code: 'H51010000001',
    begndate: cstDate(Date.now()),
    tel: '13800000001',
    referral: { refl_fil_type: '1', diag_name: '肺恶性肿瘤', refl_hosp_name: '合肥市第一人民医院' },
  });
  expect(filed.status).toBe(202);
  const id = filed.body.id as string;
  await until('the review task', async () => {
    const tasks = await api(url, 'staff-ah', 'GET', '/tasks');
    return tasks.body.items?.some((t) => t.case_id === id) ?? false;
  });

  first.child.kill('SIGKILL');
  await first.exited;
  await waitFor(() => postgresFor(path.join(dataRoot, 'postgres')).length === 0, 'postgres to stop');

  const again = track(start(env));
  url = await ready(again);
  const queue = await api(url, 'staff-ah', 'GET', '/tasks');
  const task = queue.body.items?.find((t) => t.case_id === id);
  if (!task) throw new Error(`the review task of ${id} is gone after the restart`);
  expect((await api(url, 'staff-ah', 'POST', `/tasks/${task.id}/claim`)).status).toBe(200);
  const decided = await api(url, 'staff-ah', 'POST', `/tasks/${task.id}/decision`, { decision: 'approve' });
  // The case itself accepted the decision: its workflow came back with the devserver's state.
  expect(decided).toMatchObject({ status: 200, body: { outcome: 'accepted' } });
  await until('the filing to become active', async () => {
    const filing = await api(url, 'zhangwei', 'GET', `/filings/${id}`);
    return filing.body.filing?.status === 'ACTIVE';
  });
  const filing = await api(url, 'zhangwei', 'GET', `/filings/${id}`);
  expect(filing.body.referral).toMatchObject({ status: 'APPROVED' });
  expect(filing.body.referral?.trt_dcla_detl_sn).toEqual(expect.any(String));
});

test('a malformed DATABASE_URL prints one line and exits 78, no stack trace', async () => {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'bin/start.ts'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: 'postgres//oops', PORT: '0' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(result.status).toBe(EXIT_CONFIG);
  expect(result.stderr.trim()).toBe(
    'yidi: configuration error: DATABASE_URL is not a valid URL (expected postgres://user:password@host:port/database)',
  );
  expect(result.stdout).toBe('');
});
