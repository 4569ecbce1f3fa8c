/**
 * The platform as an operator runs it, under the chaos run's hands: `bin/start.ts` as a child process on
 * a throwaway data folder and free ports, restarted gently (SIGTERM) or not (SIGKILL), its PostgreSQL
 * frozen with SIGSTOP/SIGCONT, and — when the project has a `npm run worker` entry point — a separate
 * worker process to kill.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../support/ports';

const root = path.resolve(__dirname, '..', '..');

export interface Endpoints {
  /** The API's base URL on 127.0.0.1. */
  url: string;
  /** The Temporal frontend `npm start` printed (the embedded devserver). */
  temporalAddress: string;
}

export type Note = (line: string) => void;

async function until(check: () => boolean, what: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function alive(child: ChildProcess | undefined): child is ChildProcess {
  return child !== undefined && child.exitCode === null && child.signalCode === null;
}

export class ChaosPlatform {
  readonly dataDir: string;
  readonly pgPort: number;
  readonly port: number;
  private child: ChildProcess | undefined;
  private worker: ChildProcess | undefined;
  private current: Endpoints | undefined;
  private waiting: (() => void)[] = [];
  private stopped = new Set<number>();
  private readonly logFile: string;
  /** Starts of the platform, the first included. */
  starts = 0;

  private constructor(
    dataDir: string,
    pgPort: number,
    port: number,
    private readonly note: Note,
  ) {
    this.dataDir = dataDir;
    this.pgPort = pgPort;
    this.port = port;
    this.logFile = path.join(dataDir, 'platform.log');
  }

  static async create(dataDir: string, note: Note): Promise<ChaosPlatform> {
    fs.mkdirSync(dataDir, { recursive: true });
    // The embedded PostgreSQL runs as the `postgres` user when we are root: it must reach its folder.
    fs.chmodSync(dataDir, 0o755);
    return new ChaosPlatform(dataDir, await freePort(), await freePort(), note);
  }

  get databaseUrl(): string {
    return `postgres://postgres@127.0.0.1:${this.pgPort}/yidi`;
  }

  /** The endpoints while the platform is up; undefined while it is down or restarting. */
  get endpoints(): Endpoints | undefined {
    return this.current;
  }

  /** Resolves when the platform is up (at once if it is). */
  up(): Promise<Endpoints> {
    const now = this.current;
    if (now) return Promise.resolve(now);
    return new Promise((resolve) => {
      this.waiting.push(() => resolve(this.current as Endpoints));
    });
  }

  /** `npm run worker` exists: a worker can be killed without taking the API and the devserver down. */
  static hasWorkerScript(): boolean {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      scripts?: Record<string, string>;
    };
    return typeof pkg.scripts?.worker === 'string';
  }

  async start(): Promise<Endpoints> {
    this.starts += 1;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      YIDI_DATA_DIR: this.dataDir,
      PORT: String(this.port),
      EMBEDDED_PG_PORT: String(this.pgPort),
      // The run's invariants are about the cases it files itself.
      YIDI_DEMO: '0',
    };
    delete env.DATABASE_URL;
    delete env.TEMPORAL_ADDRESS;
    const log = fs.createWriteStream(this.logFile, { flags: 'a' });
    log.write(`--- start ${this.starts} at ${new Date().toISOString()}\n`);
    const child = spawn(process.execPath, ['--import', 'tsx', 'bin/start.ts'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    let output = '';
    const ready = new Promise<Endpoints>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        log.write(chunk);
        output += chunk.toString();
        const devserver = /embedded Temporal devserver on ([^\s,]+)/.exec(output)?.[1];
        if (devserver && /\[yidi\] ready: /.test(output)) {
          child.stdout?.off('data', onData);
          child.stdout?.on('data', (more: Buffer) => log.write(more));
          resolve({ url: `http://127.0.0.1:${this.port}`, temporalAddress: devserver });
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', (chunk: Buffer) => log.write(chunk));
      child.once('exit', (code, signal) => {
        log.end();
        if (this.child === child) this.current = undefined;
        reject(
          new Error(`the platform exited (${code ?? signal}) before it was ready:\n${output.slice(-2000)}`),
        );
      });
    });
    const endpoints = await ready;
    this.current = endpoints;
    for (const wake of this.waiting.splice(0)) wake();
    return endpoints;
  }

  /** Stops the platform with `signal` and waits until it and its PostgreSQL are gone. */
  async stop(signal: 'SIGTERM' | 'SIGKILL' | 'SIGINT'): Promise<void> {
    this.current = undefined;
    await this.stopWorker('SIGTERM');
    const child = this.child;
    if (alive(child)) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill(signal);
      // A graceful stop that hangs is itself a finding; the run goes on after a hard kill.
      const timer = setTimeout(() => {
        this.note(`the platform did not stop on ${signal} within 30 s: SIGKILL`);
        child.kill('SIGKILL');
      }, 30_000);
      await exited;
      clearTimeout(timer);
    }
    // After a SIGKILL the platform's watchdog stops PostgreSQL: wait for it, so the next start finds the
    // folder free rather than racing the shutdown.
    await until(() => this.postgresPids().length === 0, 'the embedded PostgreSQL to stop', 30_000);
  }

  async restart(signal: 'SIGTERM' | 'SIGKILL'): Promise<Endpoints> {
    const hadWorker = alive(this.worker);
    await this.stop(signal);
    const endpoints = await this.start();
    // A separate worker follows its platform: the devserver it polled has a new address now.
    if (hadWorker) await this.startWorker();
    return endpoints;
  }

  /** The postmaster of this data folder and its children (backends, checkpointer, walwriter, …). */
  postgresPids(): number[] {
    const pgrep = (args: string[]) =>
      spawnSync('pgrep', args, { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map(Number);
    const postmasters = pgrep(['-f', `postgres -D ${path.join(this.dataDir, 'postgres')} `]);
    return postmasters.flatMap((pid) => [pid, ...pgrep(['-P', String(pid)])]);
  }

  /** SIGSTOPs every postgres process of the folder for `ms`, then SIGCONTs them; returns how many. */
  async pausePostgres(ms: number): Promise<number> {
    const pids = this.postgresPids();
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGSTOP');
        this.stopped.add(pid);
      } catch {
        // exited between pgrep and kill: nothing to freeze
      }
    }
    try {
      // The fault's own length, not a synchronisation: PostgreSQL is frozen for this long.
      await new Promise((resolve) => setTimeout(resolve, ms));
    } finally {
      this.resumePostgres();
    }
    return pids.length;
  }

  /** Never leave a frozen PostgreSQL behind, whatever ends the run. */
  resumePostgres(): void {
    for (const pid of this.stopped) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // already gone
      }
    }
    this.stopped.clear();
  }

  /** Starts `npm run worker` against this platform's devserver and database (a process group of its own). */
  async startWorker(): Promise<void> {
    const endpoints = await this.up();
    const worker = spawn('npm', ['run', '--silent', 'worker'], {
      cwd: root,
      env: { ...process.env, TEMPORAL_ADDRESS: endpoints.temporalAddress, DATABASE_URL: this.databaseUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.worker = worker;
    const log = fs.createWriteStream(path.join(this.dataDir, 'worker.log'), { flags: 'a' });
    worker.stdout?.pipe(log);
    worker.stderr?.pipe(log);
    // Its log says when it polls; without a known ready line, wait for its first line (bounded).
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 20_000);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      worker.stdout?.once('data', done);
      worker.once('exit', done);
    });
  }

  async stopWorker(signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker?.pid === undefined) return;
    const group = -worker.pid; // npm, its shell and the node process it runs
    const groupAlive = () => {
      try {
        process.kill(group, 0);
        return true;
      } catch {
        return false;
      }
    };
    const signalGroup = (s: NodeJS.Signals) => {
      try {
        process.kill(group, s);
      } catch {
        // already gone
      }
    };
    signalGroup(signal);
    // npm may exit before the worker it ran: wait for the whole group, and do not wait forever.
    try {
      await until(() => !groupAlive(), 'the worker to stop', 10_000);
    } catch {
      this.note('the worker did not stop within 10 s: SIGKILL');
      signalGroup('SIGKILL');
      await until(() => !groupAlive(), 'the worker to die', 10_000);
    }
  }

  /** The end of the run: a clean stop, and the throwaway folder removed unless asked to keep it. */
  async dispose(keep: boolean): Promise<void> {
    this.resumePostgres();
    await this.stop('SIGINT');
    if (!keep) fs.rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** Last resort on an interrupted run: no orphan processes, no frozen database. */
  abandon(): void {
    this.resumePostgres();
    if (alive(this.child)) this.child.kill('SIGINT');
    if (alive(this.worker) && this.worker.pid !== undefined) {
      try {
        process.kill(-this.worker.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  lastLog(chars = 3000): string {
    try {
      const text = fs.readFileSync(this.logFile, 'utf8');
      return text.slice(-chars);
    } catch {
      return '';
    }
  }
}
