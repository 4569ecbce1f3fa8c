import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EmbeddedPostgres, isPostmasterOf } from '../../db/embedded-postgres';
import { freePort } from '../support/ports';

// Orphan recovery signals the pid in postmaster.pid; after a reboot that pid may be anyone's.
test('only a PostgreSQL server on this data folder counts as the orphan to stop', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'yidi-pg-'));
  fs.chmodSync(root, 0o755);
  const dataDir = path.join(root, 'postgres');
  const pg = new EmbeddedPostgres({ dataDir, port: await freePort() });
  const stranger = spawn('sleep', ['30'], { stdio: 'ignore' });
  try {
    await pg.start();
    const pid = Number.parseInt(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8'), 10);
    expect(isPostmasterOf(pid, dataDir)).toBe(true);
    expect(isPostmasterOf(pid, path.join(root, 'other'))).toBe(false);
    expect(isPostmasterOf(stranger.pid!, dataDir)).toBe(false);
  } finally {
    stranger.kill();
    await pg.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
}, 60_000);
