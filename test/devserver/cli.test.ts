// The devserver executable: the argv sdk-core passes in both modes, the ready line, signals,
// usage errors, and no process left behind after TestWorkflowEnvironment.teardown().
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { parseArgs } from '../../devserver/main';
import { DEVSERVER_BIN, localOptions, quietRuntime, timeSkippingOptions } from './env';

// Exactly what sdk-core 1.24 (crates/sdk-core/src/ephemeral_server/mod.rs) passes to an existing-path executable.
const DEV_SERVER_ARGV = [
  'server',
  'start-dev',
  '--port',
  '45123',
  '--namespace',
  'yidi',
  '--ip',
  '127.0.0.1',
  '--log-format',
  'pretty',
  '--log-level',
  'warn',
  '--dynamic-config-value',
  'frontend.enableServerVersionCheck=false',
  '--dynamic-config-value',
  'frontend.enableUpdateWorkflowExecution=true',
  '--dynamic-config-value',
  'frontend.enableUpdateWorkflowExecutionAsyncAccepted=true',
  '--headless',
  '--search-attribute',
  'CaseStage=Keyword',
  '--search-attribute',
  'Amount=Int',
];
const TEST_SERVER_ARGV = ['45124'];

describe('parseArgs', () => {
  test('Temporal CLI style, as sdk-core sends it for createLocal', () => {
    const o = parseArgs(DEV_SERVER_ARGV);
    expect(o).toMatchObject({
      port: 45123,
      ip: '127.0.0.1',
      namespaces: ['default', 'yidi'],
      searchAttributes: { CaseStage: 'Keyword', Amount: 'Int' },
      timeSkipping: false,
      logLevel: 'warn',
      logFormat: 'pretty',
    });
  });

  test('Java test server style, as sdk-core sends it for createTimeSkipping', () => {
    expect(parseArgs(TEST_SERVER_ARGV)).toMatchObject({
      port: 45124,
      timeSkipping: true,
      timeSkippingUnlocked: false,
      namespaces: ['default'],
    });
    expect(parseArgs(['45124', '--enable-time-skipping'])).toMatchObject({
      timeSkipping: true,
      timeSkippingUnlocked: true,
    });
  });

  test('the bare form, --flag=value, UI and db flags', () => {
    const o = parseArgs([
      '--port=7233',
      '-n',
      'a',
      '--namespace',
      'a',
      '--ui-port',
      '8233',
      '--db-filename',
      'x.db',
      '--search-attribute=Tags=keywordlist',
    ]);
    expect(o.port).toBe(7233);
    expect(o.namespaces).toEqual(['default', 'a']);
    expect(o.searchAttributes).toEqual({ Tags: 'KeywordList' });
    expect(o.dbFilename).toBe('x.db');
    expect(o.notes).toEqual(['no Web UI in this devserver (always headless): --ui-port 8233 is ignored']);
    expect(parseArgs([]).notes).toEqual([]);
    expect(parseArgs([]).port).toBe(7233);
  });

  test.each([
    [['--bogus'], /unknown flag --bogus/],
    [['server', 'stop'], /unknown command/],
    [['--port'], /needs a value/],
    [['--port', 'x'], /invalid port/],
    [['--port', '70000'], /invalid port/],
    [['--search-attribute', 'Foo=Money'], /invalid --search-attribute/],
    [['--dynamic-config-value', 'novalue'], /invalid --dynamic-config-value/],
    [['--log-level', 'loud'], /invalid --log-level/],
    [['7233', '--namespace', 'x'], /unknown flag --namespace/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(message);
  });
});

function startBin(args: string[]): { child: ChildProcess; ready: Promise<string>; stderr: () => string } {
  const child = spawn(DEVSERVER_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out);
    });
    child.once('exit', (code) => reject(new Error(`exited ${code} before ready: ${err}`)));
  });
  return { child, ready, stderr: () => err };
}

describe('the executable', () => {
  test('prints exactly one ready line and exits 0 on SIGTERM', async () => {
    const { child, ready } = startBin(['server', 'start-dev', '--port', '0', '--headless']);
    const line = await ready;
    expect(line).toMatch(/^devserver listening on 127\.0\.0\.1:\d+\n$/);
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    expect((await exited)[0]).toBe(0);
  });

  test('exits 0 on SIGINT with --db-filename, leaving the state file and no lock file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yidi-cli-'));
    const file = path.join(dir, 'state.db');
    try {
      const { child, ready } = startBin(['--port', '0', '--db-filename', file]);
      await ready;
      expect(fs.existsSync(`${file}.lock`)).toBe(true);
      const exited = once(child, 'exit');
      child.kill('SIGINT');
      expect((await exited)[0]).toBe(0);
      expect(fs.existsSync(file)).toBe(true);
      expect(fs.existsSync(`${file}.lock`)).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an unknown flag exits 2 with a one-line usage error', () => {
    let status = 0;
    let stderr = '';
    try {
      execFileSync(DEVSERVER_BIN, ['server', 'start-dev', '--bogus'], { stdio: 'pipe' });
    } catch (e) {
      const err = e as { status: number; stderr: Buffer };
      status = err.status;
      stderr = err.stderr.toString();
    }
    expect(status).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/unknown flag --bogus.*usage/);
  });
});

/** Pids of our child processes whose command line runs the devserver. */
function devserverChildren(): number[] {
  const out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)]).toString();
  return out
    .split('\n')
    .filter((l) => l.includes('bin/yidi-devserver'))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}

describe('TestWorkflowEnvironment with the devserver executable', () => {
  beforeAll(() => quietRuntime());

  test.each([
    ['createLocal', () => TestWorkflowEnvironment.createLocal(localOptions())],
    ['createTimeSkipping', () => TestWorkflowEnvironment.createTimeSkipping(timeSkippingOptions())],
  ])('%s runs one node process and leaves none behind after teardown', async (_name, create) => {
    const before = new Set(devserverChildren());
    const env = await create();
    const mine = devserverChildren().filter((p) => !before.has(p));
    expect(mine).toHaveLength(1);
    // The script is node itself (a shebang), not a shell waiting on it.
    expect(fs.readFileSync(`/proc/${mine[0]}/comm`, 'utf8').trim()).toBe('node');
    expect(await env.connection.workflowService.getSystemInfo({})).toBeDefined();
    await env.teardown();
    expect(alive(mine[0]!)).toBe(false);
  });
});
