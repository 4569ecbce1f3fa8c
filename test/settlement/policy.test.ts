import { DEMO_POLICIES } from '../../settlement/fixtures';
import { type Policy, type PolicyDoc, policyToDoc } from '../../settlement/policy';
import { findOverlaps, selectPolicyVersion } from '../../settlement/policy-select';
import { validatePolicy } from '../../settlement/policy-validate';
import { BASE_DOC, doc, unwrap } from './helpers';

function errorsOf(input: unknown) {
  const r = validatePolicy(input);
  if (r.ok) throw new Error('expected refusal');
  return r.errors;
}

describe('validatePolicy', () => {
  test('every demo policy validates and round-trips through policyToDoc', () => {
    for (const d of DEMO_POLICIES) {
      const p = unwrap(validatePolicy(d));
      expect(policyToDoc(p)).toEqual(d);
    }
  });

  test('demo policy versions do not overlap', () => {
    const all = DEMO_POLICIES.map((d) => unwrap(validatePolicy(d)));
    expect(findOverlaps(all)).toEqual([]);
  });

  test.each<[string, Partial<PolicyDoc>, string]>([
    [
      'bands not ascending',
      {
        fund: {
          bands: [
            { upto: '5000.00', ratio: '0.8' },
            { upto: '4000.00', ratio: '0.9' },
            { upto: null, ratio: '0.9' },
          ],
          annual_cap: '1.00',
        },
      },
      'fund.bands[1].upto',
    ],
    [
      'last band bounded',
      { fund: { bands: [{ upto: '5000.00', ratio: '0.8' }], annual_cap: '1.00' } },
      'fund.bands[0].upto',
    ],
    [
      'unbounded band in the middle',
      {
        fund: {
          bands: [
            { upto: null, ratio: '0.8' },
            { upto: null, ratio: '0.9' },
          ],
          annual_cap: '1.00',
        },
      },
      'fund.bands[0].upto',
    ],
    ['no bands', { fund: { bands: [], annual_cap: '1.00' } }, 'fund.bands'],
    [
      'ratio above 1',
      { fund: { bands: [{ upto: null, ratio: '1.2' }], annual_cap: '1.00' } },
      'fund.bands[0].ratio',
    ],
    ['cap zero', { fund: { bands: [{ upto: null, ratio: '0.8' }], annual_cap: '0.00' } }, 'fund.annual_cap'],
    [
      'cap malformed',
      { fund: { bands: [{ upto: null, ratio: '0.8' }], annual_cap: '1e6' } },
      'fund.annual_cap',
    ],
    ['bad admvs', { scope: { ...BASE_DOC.scope, admvs: '3401' } }, 'scope.admvs'],
    ['unsupported med_type', { scope: { ...BASE_DOC.scope, med_type: '11' as '21' } }, 'scope.med_type'],
    ['empty hosp_lv', { scope: { ...BASE_DOC.scope, hosp_lv: [] } }, 'scope.hosp_lv'],
    ['bad date', { effective_from: '2024-02-30' }, 'effective_from'],
    ['to before from', { effective_to: '2023-12-31' }, 'effective_to'],
    [
      'points off above the ratio',
      {
        temporary_traveller: {
          ...BASE_DOC.temporary_traveller,
          referral: { kind: 'points_off', points: '0.90' },
        },
      },
      'temporary_traveller.referral.points',
    ],
    [
      'serious-illness layer of the wrong kind',
      {
        serious_illness: {
          fund: 'hifmi',
          threshold: '0.00',
          bands: [{ upto: null, ratio: '0.5' }],
          annual_cap: '1.00',
        },
      },
      'serious_illness.fund',
    ],
    [
      'share-of-stay floor above cap',
      {
        deductible: {
          per_stay: {
            kind: 'share_of_stay',
            share: '0.2',
            basis: 'medfee_sumamt',
            floor: '3.00',
            cap: '2.00',
          },
          annual_total_cap: null,
        },
      },
      'deductible.per_stay.floor',
    ],
    [
      'annual deductible cap zero',
      { deductible: { per_stay: { kind: 'fixed', amount: '1.00' }, annual_total_cap: '0.00' } },
      'deductible.annual_total_cap',
    ],
  ])('%s is refused at %s', (_name, over, path) => {
    const errors = errorsOf(doc(over));
    expect(errors.map((e) => e.path)).toContain(path);
    for (const e of errors) expect(e.message.length).toBeGreaterThan(3);
  });

  test('unknown and missing fields are refused, not ignored or defaulted', () => {
    const { civil_servant: _c, ...missing } = BASE_DOC;
    expect(errorsOf(missing).map((e) => e.path)).toEqual(['civil_servant']);
    expect(errorsOf({ ...BASE_DOC, ratio: '0.9' }).map((e) => e.path)).toEqual(['ratio']);
    expect(errorsOf('policy')[0]).toMatchObject({ path: '(root)', code: 'type' });
  });

  test('residents have no personal account', () => {
    const errors = errorsOf(
      doc({ scope: { ...BASE_DOC.scope, insutype: '390' }, personal_account: { covers: 'psn_part_amt' } }),
    );
    expect(errors.map((e) => e.path)).toContain('personal_account');
  });
});

describe('selectPolicyVersion', () => {
  const all: Policy[] = DEMO_POLICIES.map((d) => unwrap(validatePolicy(d)));
  const key = {
    admvs: '340100',
    insutype: '310',
    hosp_lv: '2',
    med_type: '21',
    psn_type: 'retired',
    on: '2025-03-01',
  } as const;

  test('Hefei employees, level 2, retired', () => {
    const p = unwrap(selectPolicyVersion(all, key));
    expect(p.fund.bands[0]!.ratio).toBe(960_000);
    expect(p.deductible.per_stay).toEqual({ kind: 'fixed', amount: 40_000 });
  });

  test('before the version takes effect: no policy', () => {
    const r = selectPolicyVersion(all, { ...key, on: '2023-12-31' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]!.code).toBe('no_policy');
  });

  test('successive versions: the one in force on the discharge date', () => {
    const v1 = unwrap(validatePolicy(doc({ effective_to: '2024-06-30' })));
    const v2 = unwrap(
      validatePolicy(
        doc({
          version: 2,
          effective_from: '2024-07-01',
          fund: { bands: [{ upto: null, ratio: '0.85' }], annual_cap: '300000.00' },
        }),
      ),
    );
    const k = { ...key, hosp_lv: '1', psn_type: 'in_service', on: '2024-06-30' } as const;
    expect(unwrap(selectPolicyVersion([v1, v2], k)).version).toBe(1);
    expect(unwrap(selectPolicyVersion([v1, v2], { ...k, on: '2024-07-01' })).version).toBe(2);
    expect(findOverlaps([v1, v2])).toEqual([]);
  });

  test('overlapping versions are refused as ambiguous, not resolved by guessing', () => {
    const v1 = unwrap(validatePolicy(doc()));
    const v2 = unwrap(validatePolicy(doc({ version: 2, effective_from: '2024-07-01' })));
    const r = selectPolicyVersion([v1, v2], {
      ...key,
      hosp_lv: '1',
      psn_type: 'in_service',
      on: '2024-08-01',
    });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]!.code).toBe('ambiguous_policy');
    expect(findOverlaps([v1, v2])).toHaveLength(1);
  });
});

describe('tagged rules', () => {
  test.each<[string, unknown, string[]]>([
    ['missing kind', { amount: '1.00' }, ['deductible.per_stay.kind: required']],
    ['unknown kind', { kind: 'percent', amount: '1.00' }, ['deductible.per_stay.kind: unsupported']],
    [
      'a share field on a fixed rule',
      { kind: 'fixed', amount: '1.00', share: '0.2' },
      ['deductible.per_stay.share: unknown_field'],
    ],
    [
      'share rule missing its cap',
      { kind: 'share_of_stay', share: '0.2', basis: 'medfee_sumamt', floor: '1.00' },
      ['deductible.per_stay.cap: required'],
    ],
  ])('%s', (_n, per_stay, expected) => {
    const r = validatePolicy(
      doc({
        deductible: { per_stay: per_stay as PolicyDoc['deductible']['per_stay'], annual_total_cap: null },
      }),
    );
    expect(r.ok ? [] : r.errors.map((e) => `${e.path}: ${e.code}`)).toEqual(expected);
  });
});
