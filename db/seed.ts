import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { describeErrors, validatePolicy } from '../settlement';
import { DEMO_POLICIES } from '../settlement/fixtures';
import { advanceFundParamRows, advanceFundRows } from './advance-funds';
import { fixtureCatalogueRows } from './catalogue';
import { demoCatalogueRows, demoCatalogueRules } from './catalogue-data';
import { compensationParamRows } from './compensation';
import {
  Admdvs,
  AdvanceFund,
  AdvanceFundParam,
  CatalogueItem,
  CatalogueRule,
  CompensationParam,
  Hospital,
  InsuredPerson,
  PolicyVersion,
  User,
} from './entities';
import { hashPassword } from './password';
import { toRow } from './policies';
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
export async function seedReferenceData(em: EntityManager): Promise<void> {
  const ignore = { onConflictAction: 'ignore' } as const;
  await em.upsertMany(Admdvs, demoAdmdvs, ignore);
  await em.upsertMany(Hospital, demoHospitals, ignore);
  await em.upsertMany(
    InsuredPerson,
    demoPersons.map(({ certno17, ...p }) => ({ ...p, certno: withCheckDigit(certno17) })),
    ignore,
  );
  // The settlement core's demo policies, validated by the core like any other policy on its way in.
  const policies = DEMO_POLICIES.map((doc) => {
    const checked = validatePolicy(doc);
    if (!checked.ok)
      throw new Error(`demo policy ${doc.policy_id} is invalid: ${describeErrors(checked.errors)}`);
    return toRow(checked.value);
  });
  await em.upsertMany(PolicyVersion, policies, { ...ignore, onConflictFields: ['policy_id', 'version'] });
  // The core's fixture codes (BED001 …) and the demo places' lists; a place's rule row is written once.
  const catalogues = fixtureCatalogueRows();
  const fixturePlaces = new Set(catalogues.rules.map((r) => r.admvs));
  await em.upsertMany(
    CatalogueRule,
    [...catalogues.rules, ...demoCatalogueRules().filter((r) => !fixturePlaces.has(r.admvs))],
    ignore,
  );
  await em.upsertMany(CatalogueItem, [...catalogues.items, ...demoCatalogueRows()], {
    ...ignore,
    onConflictFields: ['admvs', 'med_list_codg', 'begndate'],
  });
  await em.upsertMany(CompensationParam, compensationParamRows(), ignore);
  await em.upsertMany(AdvanceFundParam, advanceFundParamRows(), ignore);
  await em.upsertMany(AdvanceFund, advanceFundRows(), ignore);
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
