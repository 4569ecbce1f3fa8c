import type { Orm } from '../../db/orm';
import { verifyPassword } from '../../db/password';
import { seedReferenceData } from '../../db/seed';
import { DEMO_PASSWORD, withCheckDigit } from '../../db/seed-data';
import { migratedOrm } from '../support/db';

let orm: Orm;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ orm, close } = await migratedOrm());
});
afterAll(() => close());

const TABLES = ['admdvs', 'hospital', 'insured_person', 'policy_version', 'app_user'];

async function snapshot(): Promise<Record<string, unknown[]>> {
  const connection = orm.em.fork().getConnection();
  const out: Record<string, unknown[]> = {};
  for (const table of TABLES) {
    out[table] = await connection.execute(`select * from ${table} order by 1`);
  }
  return out;
}

test('seeding twice leaves exactly the rows of seeding once', async () => {
  await seedReferenceData(orm.em.fork());
  const once = await snapshot();
  expect(once.admdvs?.length).toBeGreaterThanOrEqual(5);
  expect(once.hospital?.length).toBeGreaterThanOrEqual(5);
  expect(once.insured_person?.length).toBeGreaterThanOrEqual(3);
  expect(once.app_user?.length).toBeGreaterThanOrEqual(5);
  await seedReferenceData(orm.em.fork());
  expect(await snapshot()).toEqual(once);
});

test('every role has a demo account that logs in with the documented password', async () => {
  await seedReferenceData(orm.em.fork());
  const users = await orm.em
    .fork()
    .getConnection()
    .execute<{ role: string; password_hash: string }[]>('select role, password_hash from app_user');
  expect(new Set(users.map((u) => u.role))).toEqual(
    new Set(['citizen', 'staff', 'supervisor', 'coordinator', 'hospital']),
  );
  const staff = users.find((u) => u.role === 'staff');
  expect(await verifyPassword(DEMO_PASSWORD, staff?.password_hash ?? '')).toBe(true);
  expect(await verifyPassword('wrong', staff?.password_hash ?? '')).toBe(false);
});

test('demo resident IDs carry a valid check character', () => {
  // 11010519491231002X is the national standard's own example.
  expect(withCheckDigit('11010519491231002')).toBe('11010519491231002X');
});
