import { Client } from 'pg';
import { migrationsList } from '../../db/migrations';
import { migrate, openOrm } from '../../db/orm';
import { createTestDatabase, type TestDatabase } from '../support/db';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

async function tables(url: string): Promise<string[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ table_name: string }>(
      `select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
    );
    return result.rows.map((r) => r.table_name);
  } finally {
    await client.end();
  }
}

test('migrations bring an empty database up to the reference-data schema, once', async () => {
  expect(await tables(db.url)).toEqual([]);
  const orm = await openOrm(db.url);
  try {
    const applied = await migrate(orm);
    expect(applied).toEqual(migrationsList.map((m) => m.name));
    expect(await tables(db.url)).toEqual(
      expect.arrayContaining([
        'admdvs',
        'app_user',
        'hospital',
        'insured_person',
        'mikro_orm_migrations',
        'policy_version',
      ]),
    );
    expect(await migrate(orm)).toEqual([]);
  } finally {
    await orm.close();
  }
});

test('the schema matches the entities: nothing left for a new migration to do', async () => {
  const orm = await openOrm(db.url);
  try {
    await migrate(orm);
    const diff = await orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false });
    expect(diff.trim()).toBe('');
  } finally {
    await orm.close();
  }
});

test('the database refuses a user whose role lacks its scope', async () => {
  const orm = await openOrm(db.url);
  try {
    await migrate(orm);
    const insert = orm.em
      .fork()
      .getConnection()
      .execute(
        `insert into app_user (id, username, display_name, role, password_hash, created_at)
         values (gen_random_uuid(), 'nobody', 'x', 'staff', 'x', now())`,
      );
    await expect(insert).rejects.toThrow(/app_user_scope_check/);
  } finally {
    await orm.close();
  }
});
