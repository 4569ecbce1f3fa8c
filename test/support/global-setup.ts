import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EmbeddedPostgres } from '../../db/embedded-postgres';
import { freePort } from './ports';

/**
 * One PostgreSQL for the whole run: DATABASE_URL's server when set (it must allow CREATE DATABASE),
 * else a throwaway embedded server. Test files each create their own database on it (test/support/db.ts).
 */
export default async function globalSetup(): Promise<void> {
  // Workflow bundles shared by the run's test files (test/support/bundle-cache.ts).
  const bundles = fs.mkdtempSync(path.join(os.tmpdir(), 'yidi-bundles-'));
  process.env.YIDI_TEST_BUNDLE_DIR = bundles;
  (globalThis as { __yidiTestBundles?: string }).__yidiTestBundles = bundles;
  if (process.env.DATABASE_URL) {
    process.env.YIDI_TEST_ADMIN_URL = process.env.DATABASE_URL;
    return;
  }
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'yidi-test-'));
  fs.chmodSync(root, 0o755); // the server may run as the postgres user, which must reach its data folder
  const pg = new EmbeddedPostgres({ dataDir: path.join(root, 'pg'), port: await freePort() });
  await pg.start();
  process.env.YIDI_TEST_ADMIN_URL = pg.url;
  const state = globalThis as { __yidiTestPg?: { pg: EmbeddedPostgres; root: string } };
  state.__yidiTestPg = { pg, root };
}
