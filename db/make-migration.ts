/**
 * Generates a migration from the difference between the entities and the last snapshot, on a
 * throwaway embedded PostgreSQL: `npm run db:migration`. Add the printed class to migrations/index.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EmbeddedPostgres } from './embedded-postgres';
import { openOrm } from './orm';

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yidi-migration-'));
  fs.chmodSync(dir, 0o755);
  const pg = new EmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port: 54398 });
  await pg.start();
  try {
    const orm = await openOrm(pg.url, { authoring: true });
    try {
      await orm.getMigrator().up();
      const result = await orm.getMigrator().createMigration();
      console.log(
        result.fileName ? `created db/migrations/${result.fileName}` : 'no changes: no migration needed',
      );
    } finally {
      await orm.close();
    }
  } finally {
    await pg.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
