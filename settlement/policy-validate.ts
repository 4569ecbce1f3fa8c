// validatePolicy: from an untrusted document (fixture, database row, API body) to a Policy,
// or every reason it is refused. Bands ascend and end unbounded, ratios lie in [0, 1], caps are positive.
import { fail, ok, type Result } from './errors';
import type { Fen } from './money';
import {
  type BandShape,
  type DeductibleRule,
  FILING_TYPES,
  type FilingType,
  HOSP_LVS,
  INSUTYPES,
  MED_TYPES,
  type Policy,
  type PolicyScope,
  PSN_TYPES,
  type TravellerRule,
} from './policy';
import type { Band, Ratio } from './ratio';
import { join, Reader } from './read';

const ADMVS = /^[0-9]{6}$/;

function bands(r: Reader, v: unknown, path: string): Band[] {
  const out: Band[] = [];
  const items = r.array(v, path, 1);
  let previous = 0;
  items.forEach((item, i) => {
    const p = join(path, i);
    const o = r.object(item, p, ['upto', 'ratio']);
    if (o === null) return;
    const upto = r.yuanOrNull(o.upto, join(p, 'upto'));
    const ratio = r.ratio(o.ratio, join(p, 'ratio'));
    const last = i === items.length - 1;
    if (upto === null && !last)
      r.fail(join(p, 'upto'), 'range', 'only the last band may be unbounded (null)');
    if (upto !== null && last)
      r.fail(join(p, 'upto'), 'range', 'the last band must be unbounded (upto null)');
    if (upto !== null) {
      if (upto <= previous) {
        r.fail(
          join(p, 'upto'),
          'range',
          'bands must ascend: upto must exceed the previous band’s upto and zero',
        );
      }
      previous = upto;
    }
    out.push({ upto, ratio });
  });
  return out;
}

/** The `kind` of a tagged object, read before its other fields so each kind's keys are checked once. */
function kindOf<K extends string>(r: Reader, v: unknown, path: string, kinds: readonly K[]): K | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    r.object(v, path, ['kind']);
    return null;
  }
  const k = (v as Record<string, unknown>).kind;
  if (k === undefined) {
    r.fail(join(path, 'kind'), 'required', `is required (one of ${kinds.join(', ')})`);
    return null;
  }
  const before = r.errors.length;
  const kind = r.oneOf(k, join(path, 'kind'), kinds);
  return r.errors.length > before ? null : kind;
}

const NO_DEDUCTIBLE: DeductibleRule<Fen, Ratio> = { kind: 'fixed', amount: 0 as Fen };

function deductibleRule(r: Reader, v: unknown, path: string): DeductibleRule<Fen, Ratio> {
  const k = kindOf(r, v, path, ['fixed', 'share_of_stay'] as const);
  if (k === null) return NO_DEDUCTIBLE;
  if (k === 'fixed') {
    const o = r.object(v, path, ['kind', 'amount']);
    return o === null ? NO_DEDUCTIBLE : { kind: 'fixed', amount: r.yuan(o.amount, join(path, 'amount')) };
  }
  const o = r.object(v, path, ['kind', 'share', 'basis', 'floor', 'cap']);
  if (o === null) return NO_DEDUCTIBLE;
  const before = r.errors.length;
  const floor = r.yuan(o.floor, join(path, 'floor'));
  const cap = r.positiveYuan(o.cap, join(path, 'cap'));
  // Compare only real values: a placeholder for a missing or refused field would add a false error.
  if (r.errors.length === before && o.cap !== undefined && o.floor !== undefined && floor > cap)
    r.fail(join(path, 'floor'), 'range', 'the floor must not exceed the cap');
  return {
    kind: 'share_of_stay',
    share: r.ratio(o.share, join(path, 'share')),
    basis: r.oneOf(o.basis, join(path, 'basis'), ['medfee_sumamt', 'inscp_scp_amt'] as const),
    floor,
    cap,
  };
}

function travellerRule(r: Reader, v: unknown, path: string, lowestRatio: Ratio): TravellerRule<Ratio> {
  const k = kindOf(r, v, path, ['none', 'points_off', 'multiplier'] as const);
  if (k === null) return { kind: 'none' };
  if (k === 'none') {
    r.object(v, path, ['kind']);
    return { kind: 'none' };
  }
  if (k === 'points_off') {
    const o = r.object(v, path, ['kind', 'points']);
    if (o === null) return { kind: 'none' };
    const points = r.ratio(o.points, join(path, 'points'));
    if (points > lowestRatio) {
      r.fail(
        join(path, 'points'),
        'range',
        'points off exceed the lowest fund ratio: the ratio would go negative',
      );
    }
    return { kind: 'points_off', points };
  }
  const o = r.object(v, path, ['kind', 'factor']);
  if (o === null) return { kind: 'none' };
  return { kind: 'multiplier', factor: r.ratio(o.factor, join(path, 'factor')) };
}

function scope(r: Reader, v: unknown, path: string): PolicyScope {
  const o = r.object(v, path, ['admvs', 'insutype', 'med_type', 'hosp_lv', 'psn_type']);
  if (o === null) return { admvs: '', insutype: '310', med_type: '21', hosp_lv: [], psn_type: [] };
  const set = <T extends string>(key: 'hosp_lv' | 'psn_type', values: readonly T[]): T[] => {
    const p = join(path, key);
    const items = r.array(o[key], p, 1).map((x, i) => r.oneOf(x, join(p, i), values));
    if (new Set(items).size !== items.length) r.fail(p, 'inconsistent', 'lists a value twice');
    return items;
  };
  return {
    admvs: r.string(o.admvs, join(path, 'admvs'), ADMVS, 'a 6-digit admvs code'),
    insutype: r.oneOf(o.insutype, join(path, 'insutype'), INSUTYPES),
    med_type: r.oneOf(o.med_type, join(path, 'med_type'), MED_TYPES),
    hosp_lv: set('hosp_lv', HOSP_LVS),
    psn_type: set('psn_type', PSN_TYPES),
  };
}

function ratioAndCap(r: Reader, o: Record<string, unknown>, path: string): { ratio: Ratio; annual_cap: Fen } {
  return {
    ratio: r.ratio(o.ratio, join(path, 'ratio')),
    annual_cap: r.positiveYuan(o.annual_cap, join(path, 'annual_cap')),
  };
}

const TOP = [
  'policy_id',
  'version',
  'name',
  'source',
  'scope',
  'effective_from',
  'effective_to',
  'deductible',
  'fund',
  'temporary_traveller',
  'serious_illness',
  'civil_servant',
  'other_fund',
  'medical_assistance',
  'personal_account',
] as const;

/** Validates a policy document (see PolicyDoc) and returns the Policy the calculation reads. */
export function validatePolicy(input: unknown): Result<Policy> {
  const r = new Reader();
  const o = r.object(input, '', TOP);
  if (o === null) return fail(r.errors);

  const sc = scope(r, o.scope, 'scope');
  const from = r.date(o.effective_from, 'effective_from');
  const to = o.effective_to === null ? null : r.date(o.effective_to, 'effective_to');
  if (to !== null && to < from) r.fail('effective_to', 'range', 'must not be before effective_from');

  let deductible: Policy['deductible'] = {
    per_stay: { kind: 'fixed', amount: 0 as Fen },
    annual_total_cap: null,
  };
  const d = r.object(o.deductible, 'deductible', ['per_stay', 'annual_total_cap']);
  if (d !== null) {
    deductible = {
      per_stay: deductibleRule(r, d.per_stay, 'deductible.per_stay'),
      annual_total_cap:
        d.annual_total_cap === null
          ? null
          : r.positiveYuan(d.annual_total_cap, 'deductible.annual_total_cap'),
    };
  }

  let fund: Policy['fund'] = { bands: [], annual_cap: 0 as Fen };
  const f = r.object(o.fund, 'fund', ['bands', 'annual_cap']);
  if (f !== null) {
    fund = {
      bands: bands(r, f.bands, 'fund.bands'),
      annual_cap: r.positiveYuan(f.annual_cap, 'fund.annual_cap'),
    };
  }
  const lowest = fund.bands.reduce((m, b) => (b.ratio < m ? b.ratio : m), 1_000_000) as Ratio;

  const tt = r.object(o.temporary_traveller, 'temporary_traveller', FILING_TYPES);
  const traveller = {} as Record<FilingType, TravellerRule<Ratio>>;
  for (const ft of FILING_TYPES) {
    traveller[ft] =
      tt === null ? { kind: 'none' } : travellerRule(r, tt[ft], join('temporary_traveller', ft), lowest);
  }

  let serious: Policy['serious_illness'] = null;
  if (o.serious_illness != null) {
    const s = r.object(o.serious_illness, 'serious_illness', ['fund', 'threshold', 'bands', 'annual_cap']);
    if (s !== null) {
      const which = r.oneOf(s.fund, 'serious_illness.fund', ['hifmi', 'hifob'] as const);
      const expected = sc.insutype === '390' ? 'hifmi' : 'hifob';
      if (which !== expected) {
        r.fail(
          'serious_illness.fund',
          'inconsistent',
          `insutype ${sc.insutype} has the ${expected} layer, not ${which}`,
        );
      }
      serious = {
        fund: which,
        threshold: r.yuan(s.threshold, 'serious_illness.threshold'),
        bands: bands(r, s.bands, 'serious_illness.bands') as BandShape<Fen, Ratio>[],
        annual_cap: r.positiveYuan(s.annual_cap, 'serious_illness.annual_cap'),
      };
    }
  }

  let civil: Policy['civil_servant'] = null;
  if (o.civil_servant != null) {
    const c = r.object(o.civil_servant, 'civil_servant', ['ratio', 'annual_cap']);
    if (c !== null) civil = ratioAndCap(r, c, 'civil_servant');
  }

  let other: Policy['other_fund'] = null;
  if (o.other_fund != null) {
    const c = r.object(o.other_fund, 'other_fund', ['fund_pay_type', 'name', 'ratio', 'annual_cap']);
    if (c !== null) {
      other = {
        fund_pay_type: r.string(
          c.fund_pay_type,
          'other_fund.fund_pay_type',
          /^[0-9]{6}$/,
          'a 6-digit fund_pay_type',
        ),
        name: r.string(c.name, 'other_fund.name'),
        ...ratioAndCap(r, c, 'other_fund'),
      };
    }
  }

  let assistance: Policy['medical_assistance'] = null;
  if (o.medical_assistance != null) {
    const c = r.object(o.medical_assistance, 'medical_assistance', [
      'threshold_per_stay',
      'ratio',
      'annual_cap',
    ]);
    if (c !== null) {
      assistance = {
        threshold_per_stay: r.yuan(c.threshold_per_stay, 'medical_assistance.threshold_per_stay'),
        ...ratioAndCap(r, c, 'medical_assistance'),
      };
    }
  }

  let account: Policy['personal_account'] = null;
  if (o.personal_account != null) {
    const c = r.object(o.personal_account, 'personal_account', ['covers']);
    if (c !== null) {
      account = {
        covers: r.oneOf(c.covers, 'personal_account.covers', [
          'psn_part_amt',
          'inscp_personal_share',
        ] as const),
      };
      if (sc.insutype === '390')
        r.fail('personal_account', 'inconsistent', 'residents (390) have no personal account');
    }
  }

  const policy: Policy = {
    policy_id: r.string(o.policy_id, 'policy_id'),
    version: r.integer(o.version, 'version', 1),
    name: r.string(o.name, 'name'),
    source: r.string(o.source, 'source'),
    scope: sc,
    effective_from: from,
    effective_to: to,
    deductible,
    fund,
    temporary_traveller: traveller,
    serious_illness: serious,
    civil_servant: civil,
    other_fund: other,
    medical_assistance: assistance,
    personal_account: account,
  };
  return r.errors.length > 0 ? fail(r.errors) : ok(policy);
}
