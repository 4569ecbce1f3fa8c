/**
 * Builds the web app (web/ → dist/web) when its build is missing or stale: the build records a hash
 * of the web sources and the lockfile, so an unchanged tree costs one hash (~ms) on start.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..');
export const webSources = path.join(root, 'web');
export const webBuild = path.join(root, 'dist', 'web');
const stamp = path.join(webBuild, '.source-hash');

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]))
    .sort();
}

/** The hash of everything the build reads: web/ and the installed versions (package-lock.json). */
export function webSourceHash(): string {
  const hash = createHash('sha256');
  for (const file of [...filesUnder(webSources), path.join(root, 'package-lock.json')]) {
    hash.update(path.relative(root, file)).update('\0').update(fs.readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

export function webBuildIsCurrent(): boolean {
  try {
    return fs.readFileSync(stamp, 'utf8') === webSourceHash();
  } catch {
    return false;
  }
}

const lockFile = path.join(root, 'dist', 'web.build-lock');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One builder at a time across processes (test files and `npm start`s run side by side, and Vite
 * refuses a second build of one project): the lock file holds the builder's pid; the others wait for
 * it to go, then find the build current. A lock left by a dead process is taken over.
 */
async function withBuildLock<T>(work: () => Promise<T>): Promise<T> {
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  for (;;) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number(fs.readFileSync(lockFile, 'utf8'));
      if (holder && !alive(holder)) fs.rmSync(lockFile, { force: true });
      else await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    return await work();
  } finally {
    fs.rmSync(lockFile, { force: true });
  }
}

/** Runs `vite build` in a child process (Vite is ESM; the platform runs as CommonJS under tsx). */
export async function ensureWebBuild(log: (message: string) => void): Promise<'current' | 'built'> {
  if (webBuildIsCurrent()) return 'current';
  return withBuildLock(async () => (webBuildIsCurrent() ? 'current' : build(log)));
}

async function build(log: (message: string) => void): Promise<'built'> {
  const hash = webSourceHash();
  const started = Date.now();
  log('building the web app (web/ changed or not built yet)');
  const vite = path.join(path.dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
  const output: Buffer[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [vite, 'build', '--config', path.join(webSources, 'vite.config.mts')],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
    child.on('error', reject);
    child.on('exit', resolve);
  });
  if (code !== 0)
    throw new Error(`the web build failed (exit ${code}):\n${Buffer.concat(output).toString()}`);
  fs.writeFileSync(stamp, hash);
  log(`web app built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return 'built';
}
