import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { migrate, type Orm, openOrm } from '../../db/orm';

function adminUrl(): string {
  const url = process.env.YIDI_TEST_ADMIN_URL;
  if (!url) throw new Error('YIDI_TEST_ADMIN_URL is not set: run tests through jest (global setup)');
  return url;
}

async function admin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A new, empty database for one test file, on the run's server. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `yidi_test_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`create database "${name}"`));
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => admin((c) => c.query(`drop database if exists "${name}" with (force)`)).then(() => undefined),
  };
}

/** A fresh database with every migration applied, and its ORM; `close()` drops it. */
export async function migratedOrm(): Promise<{ orm: Orm; db: TestDatabase; close(): Promise<void> }> {
  const db = await createTestDatabase();
  const orm = await openOrm(db.url);
  await migrate(orm);
  return {
    orm,
    db,
    close: async () => {
      await orm.close();
      await db.drop();
    },
  };
}
