import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { migrate, type Orm, openOrm } from '../../db/orm';
import { seedReferenceData } from '../../db/seed';

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

/**
 * More people insured in 合肥 (employees, 310, in service) beside the seed's: a person has one bed at a
 * time, so a scenario takes its own.
 */
export async function insureInHefei(
  orm: Orm,
  people: { psn_no: string; psn_name: string; certno: string }[],
): Promise<void> {
  await orm.em
    .fork()
    .getKnex()('insured_person')
    .insert(
      people.map((person) => ({
        ...person,
        gend: '1',
        brdy: '1990-01-01',
        insutype: '310',
        psn_type: 'in_service',
        insuplc_admdvs: '340100',
        insu_status: 'active',
      })),
    );
}

/**
 * This file's migrated database with the demo reference data: made in `beforeAll`, dropped in
 * `afterAll`; its `orm` is there inside tests and hooks.
 */
export function seededOrmForFile(timeout = 120_000): { readonly orm: Orm } {
  let db: Awaited<ReturnType<typeof migratedOrm>> | undefined;
  beforeAll(async () => {
    db = await migratedOrm();
    await seedReferenceData(db.orm.em.fork());
  }, timeout);
  afterAll(async () => {
    await db?.close();
  });
  return {
    get orm() {
      if (!db) throw new Error('seededOrmForFile: no orm outside the tests and hooks');
      return db.orm;
    },
  };
}
