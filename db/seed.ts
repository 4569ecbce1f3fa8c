import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Admdvs, Hospital, InsuredPerson, PolicyVersion, User } from './entities';
import { hashPassword } from './password';
import {
  DEMO_PASSWORD,
  demoAdmdvs,
  demoHospitals,
  demoPersons,
  demoUsers,
  withCheckDigit,
} from './seed-data';

export interface SeedPolicy {
  admdvs: string;
  insutype: string;
  med_type: string;
  begndate: string;
  enddate: string | null;
  params: Record<string, unknown>;
  src: string;
}

/**
 * Inserts the demo reference data where it is missing and never overwrites a row, so running it on
 * every start is safe and a second run changes nothing.
 */
export async function seedReferenceData(em: EntityManager, policies: SeedPolicy[] = []): Promise<void> {
  const ignore = { onConflictAction: 'ignore' } as const;
  await em.upsertMany(Admdvs, demoAdmdvs, ignore);
  await em.upsertMany(Hospital, demoHospitals, ignore);
  await em.upsertMany(
    InsuredPerson,
    demoPersons.map(({ certno17, ...p }) => ({ ...p, certno: withCheckDigit(certno17) })),
    ignore,
  );
  if (policies.length > 0) {
    await em.upsertMany(PolicyVersion, policies, {
      ...ignore,
      onConflictFields: ['admdvs', 'insutype', 'med_type', 'begndate'],
    });
  }
  const existing = new Set(
    (await em.find(User, { username: { $in: demoUsers.map((u) => u.username) } })).map((u) => u.username),
  );
  const missing = demoUsers.filter((u) => !existing.has(u.username));
  const rows = await Promise.all(
    missing.map(async (u) => ({
      id: randomUUID(),
      username: u.username,
      display_name: u.display_name,
      role: u.role,
      prov_admdvs: u.prov_admdvs ?? null,
      psn_no: u.psn_no ?? null,
      fixmedins_code: u.fixmedins_code ?? null,
      password_hash: await hashPassword(DEMO_PASSWORD),
      created_at: new Date(),
    })),
  );
  if (rows.length > 0) await em.upsertMany(User, rows, { ...ignore, onConflictFields: ['username'] });
}
