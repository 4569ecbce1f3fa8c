import type { Orm } from '../../db/orm';
import { closePolicyVersion, loadPolicy, PolicyRejectedError, savePolicyVersion } from '../../db/policies';
import { seedReferenceData } from '../../db/seed';
import {
  describeErrors,
  fen,
  formatYuan,
  type PolicyDoc,
  policyToDoc,
  settle,
  validateCatalogue,
  ZERO_ACCUMULATORS,
} from '../../settlement';
import { CHENGDU_CATALOGUE } from '../../settlement/fixtures';
import { migratedOrm } from '../support/db';

let orm: Orm;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ orm, close } = await migratedOrm());
  await seedReferenceData(orm.em.fork());
});
afterAll(() => close());

const hefeiLevel3 = {
  admvs: '340100',
  insutype: '310',
  med_type: '21',
  hosp_lv: '3',
  psn_type: 'in_service',
  on: '2026-06-01',
} as const;

test('the version in force for a stay loads from the database as the core validated it', async () => {
  const policy = await loadPolicy(orm.em.fork(), hefeiLevel3);
  expect(policy.scope).toMatchObject({
    admvs: '340100',
    insutype: '310',
    hosp_lv: ['3'],
    psn_type: ['in_service'],
  });
  // 合肥 employees at a 三级 hospital: deductible 600, in service 90% (the brief's parameters).
  expect(policyToDoc(policy).deductible.per_stay).toEqual({ kind: 'fixed', amount: '600.00' });
  expect(policyToDoc(policy).fund.bands).toEqual([{ upto: null, ratio: '0.90' }]);
  expect(policy.source).toMatch(/合医保发〔2024〕19号/);
});

test('a policy loaded from the database settles a stay by the core', async () => {
  const policy = await loadPolicy(orm.em.fork(), hefeiLevel3);
  const catalogue = validateCatalogue(CHENGDU_CATALOGUE);
  if (!catalogue.ok) throw new Error(describeErrors(catalogue.errors));
  const result = settle({
    claim: {
      psn_no: 'P34010000000001',
      insutype: '310',
      psn_type: 'in_service',
      med_type: '21',
      filing_type: 'long_term',
      cvlserv_flag: false,
      maf_eligible: false,
    },
    lines: [
      {
        feedetl_sn: '1',
        med_list_codg: 'SUR001', // 甲, no price limit in 成都's demo catalogue

        det_item_fee_sumamt: fen(1_000_000),
        cnt_e4: 10_000,
      },
    ],
    catalogue: catalogue.value,
    policy,
    accumulators: ZERO_ACCUMULATORS,
  });
  if (!result.ok) throw new Error(describeErrors(result.errors));
  // 10,000.00 of 甲 in scope at 合肥's 三级 rate: deductible 600.00, then 90% of 9,400.00.
  expect(formatYuan(result.value.setlinfo.act_pay_dedc)).toBe('600.00');
  expect(formatYuan(result.value.setlinfo.hifp_pay)).toBe('8460.00');
});

test('no version in force is a clear refusal, not a guess', async () => {
  await expect(loadPolicy(orm.em.fork(), { ...hefeiLevel3, on: '2001-01-01' })).rejects.toThrow(
    /no policy version in force for 340100\/310\/med_type 21\/level 3\/in_service on 2001-01-01/,
  );
});

test('an invalid policy is refused with the field that is wrong', async () => {
  const good = policyToDoc(await loadPolicy(orm.em.fork(), hefeiLevel3));
  const bad: PolicyDoc = {
    ...good,
    policy_id: 'bad-ratio',
    fund: { ...good.fund, bands: [{ upto: null, ratio: '1.50' }] },
  };
  await expect(savePolicyVersion(orm.em.fork(), bad)).rejects.toThrow(PolicyRejectedError);
  await expect(savePolicyVersion(orm.em.fork(), bad)).rejects.toThrow(/fund\.bands\[0\]\.ratio/);
});

test('a version that would apply to the same stays as a stored one is refused', async () => {
  const current = policyToDoc(await loadPolicy(orm.em.fork(), hefeiLevel3));
  await expect(savePolicyVersion(orm.em.fork(), { ...current, policy_id: 'hefei-draft' })).rejects.toThrow(
    /overlap/,
  );
  await expect(savePolicyVersion(orm.em.fork(), { ...current, version: 2 })).rejects.toThrow(/overlap/);
  // The same (policy_id, version) again, even for another region, is a clear refusal, not a driver error.
  await expect(savePolicyVersion(orm.em.fork(), current)).rejects.toThrow(PolicyRejectedError);
  const elsewhere = { ...current, scope: { ...current.scope, admvs: '460100' } };
  await expect(savePolicyVersion(orm.em.fork(), elsewhere)).rejects.toThrow(/already stored/);
});

test('a successor takes over once the current version is closed; older stays keep the old one', async () => {
  const current = policyToDoc(await loadPolicy(orm.em.fork(), hefeiLevel3));
  const successor: PolicyDoc = {
    ...current,
    version: current.version + 1,
    effective_from: '2027-01-01',
    deductible: { ...current.deductible, per_stay: { kind: 'fixed', amount: '700.00' } },
  };
  await expect(savePolicyVersion(orm.em.fork(), successor)).rejects.toThrow(/overlap/);
  await closePolicyVersion(orm.em.fork(), current, '2026-12-31');
  await savePolicyVersion(orm.em.fork(), successor);

  const before = policyToDoc(await loadPolicy(orm.em.fork(), { ...hefeiLevel3, on: '2026-12-31' }));
  const after = policyToDoc(await loadPolicy(orm.em.fork(), { ...hefeiLevel3, on: '2027-01-01' }));
  expect(before).toMatchObject({ version: current.version, effective_to: '2026-12-31' });
  expect(before.deductible.per_stay).toEqual({ kind: 'fixed', amount: '600.00' });
  expect(after).toMatchObject({ version: current.version + 1, effective_from: '2027-01-01' });
  expect(after.deductible.per_stay).toEqual({ kind: 'fixed', amount: '700.00' });

  // Moving the end into the successor's dates is refused, and the stored end stays as it was.
  await expect(closePolicyVersion(orm.em.fork(), current, '2027-06-30')).rejects.toThrow(PolicyRejectedError);
  await expect(closePolicyVersion(orm.em.fork(), current, '2027-06-30')).rejects.toThrow(/overlap/);
  const still = policyToDoc(await loadPolicy(orm.em.fork(), { ...hefeiLevel3, on: '2027-03-01' }));
  expect(still).toMatchObject({ version: current.version + 1 });
});
