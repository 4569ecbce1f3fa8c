import fs from 'node:fs';
import type { EmbeddedPostgres } from '../../db/embedded-postgres';

export default async function globalTeardown(): Promise<void> {
  const bundles = (globalThis as { __yidiTestBundles?: string }).__yidiTestBundles;
  if (bundles) fs.rmSync(bundles, { recursive: true, force: true });
  const state = globalThis as { __yidiTestPg?: { pg: EmbeddedPostgres; root: string } };
  if (!state.__yidiTestPg) return;
  await state.__yidiTestPg.pg.stop();
  fs.rmSync(state.__yidiTestPg.root, { recursive: true, force: true });
}
