import fs from 'node:fs';
import type { EmbeddedPostgres } from '../../db/embedded-postgres';

export default async function globalTeardown(): Promise<void> {
  const state = globalThis as { __yidiTestPg?: { pg: EmbeddedPostgres; root: string } };
  if (!state.__yidiTestPg) return;
  await state.__yidiTestPg.pg.stop();
  fs.rmSync(state.__yidiTestPg.root, { recursive: true, force: true });
}
