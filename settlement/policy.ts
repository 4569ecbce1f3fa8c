// The insured place's policy as data. One shape, two representations:
//   PolicyDoc — the plain JSON document (yuan and ratio strings) that fixtures export and db/ stores;
//   Policy    — the validated form (fen and ppm integers) that the calculation reads.
// validatePolicy turns the first into the second; policyToDoc goes back.
import { type Fen, formatYuan } from './money';
import { type Band, formatRatio, type Ratio } from './ratio';

/** 310 职工基本医疗保险 (employees), 390 城乡居民基本医疗保险 (residents). */
export type Insutype = '310' | '390';
/** 21 普通住院 (inpatient): the only treatment type the core settles so far. */
export type MedType = '21';
/** 医院等级: 1 一级, 2 二级, 3 三级. */
export type HospLv = '1' | '2' | '3';
export type PsnType = 'in_service' | 'retired';
/** How the stay was filed (备案): long-term residence, or one of the temporary kinds, or not at all. */
export type FilingType = 'long_term' | 'referral' | 'emergency' | 'temporary_other' | 'none';

export const INSUTYPES: readonly Insutype[] = ['310', '390'];
export const MED_TYPES: readonly MedType[] = ['21'];
export const HOSP_LVS: readonly HospLv[] = ['1', '2', '3'];
export const PSN_TYPES: readonly PsnType[] = ['in_service', 'retired'];
export const FILING_TYPES: readonly FilingType[] = [
  'long_term',
  'referral',
  'emergency',
  'temporary_other',
  'none',
];

export interface PolicyScope {
  /** The insured place's 统筹区 (6-digit admvs code). */
  readonly admvs: string;
  readonly insutype: Insutype;
  readonly med_type: MedType;
  /** Hospital levels this version applies to. */
  readonly hosp_lv: readonly HospLv[];
  /** Person types this version applies to (residents usually list both). */
  readonly psn_type: readonly PsnType[];
}

/** The deductible (起付线) charged for one stay, before the annual total is applied. */
export type DeductibleRule<A, R> =
  | { readonly kind: 'fixed'; readonly amount: A }
  /** A share of the stay with floor and cap, e.g. Anhui 2024: 20% of the total, 2,000..10,000. */
  | {
      readonly kind: 'share_of_stay';
      readonly share: R;
      readonly basis: 'medfee_sumamt' | 'inscp_scp_amt';
      readonly floor: A;
      readonly cap: A;
    };

/** Temporary-traveller adjustment of the fund ratio, per filing type ([U]: a per-province parameter). */
export type TravellerRule<R> =
  | { readonly kind: 'none' }
  /** Points off the ratio: 0.10 = ten percentage points (national ceiling: referral 10, other 20). */
  | { readonly kind: 'points_off'; readonly points: R }
  /** A multiplier on the ratio, e.g. Hefei employees 1.0 / 0.90 / 0.90 / 0.70. */
  | { readonly kind: 'multiplier'; readonly factor: R };

export interface BandShape<A, R> {
  readonly upto: A | null;
  readonly ratio: R;
}

export interface PolicyShape<A, R> {
  readonly policy_id: string;
  readonly version: number;
  readonly name: string;
  /** Where the parameters come from, with the brief's marks ([S], [3P], [U]). */
  readonly source: string;
  readonly scope: PolicyScope;
  /** Inclusive dates, YYYY-MM-DD; effective_to null = open-ended. */
  readonly effective_from: string;
  readonly effective_to: string | null;
  readonly deductible: {
    readonly per_stay: DeductibleRule<A, R>;
    /** The most deductible a person pays in a year (Xuzhou: 1,200), or null for no annual limit. */
    readonly annual_total_cap: A | null;
  };
  /** 统筹基金 (hifp_pay): bands on the stay's cumulative in-scope amount, deductible included. */
  readonly fund: {
    readonly bands: readonly BandShape<A, R>[];
    readonly annual_cap: A;
  };
  readonly temporary_traveller: { readonly [F in FilingType]: TravellerRule<R> };
  /**
   * 大病保险 (hifmi, residents) / 大额医疗 (hifob, employees): on the year's accumulated in-scope
   * personal share above the threshold; bands are positions above the threshold.
   */
  readonly serious_illness: {
    readonly fund: 'hifmi' | 'hifob';
    readonly threshold: A;
    readonly bands: readonly BandShape<A, R>[];
    readonly annual_cap: A;
  } | null;
  /** 公务员医疗补助 (cvlserv_pay): a share of the in-scope personal share left, for civil servants. */
  readonly civil_servant: { readonly ratio: R; readonly annual_cap: A } | null;
  /** Another fund paying a share of what is left (oth_pay), with its own fund_pay_type code. */
  readonly other_fund: {
    readonly fund_pay_type: string;
    readonly name: string;
    readonly ratio: R;
    readonly annual_cap: A;
  } | null;
  /** 医疗救助 (maf_pay), last: for eligible persons, above a per-stay threshold. */
  readonly medical_assistance: {
    readonly threshold_per_stay: A;
    readonly ratio: R;
    readonly annual_cap: A;
  } | null;
  /** 个人账户 (acct_pay): may pay the whole personal part, or only its in-scope share; null = not allowed. */
  readonly personal_account: { readonly covers: 'psn_part_amt' | 'inscp_personal_share' } | null;
}

/** The stored / fixture form: yuan and ratios as decimal strings. */
export type PolicyDoc = PolicyShape<string, string>;

/** The validated form the calculation reads: fen and ppm integers. Build it with validatePolicy. */
export interface Policy extends PolicyShape<Fen, Ratio> {
  readonly fund: { readonly bands: readonly Band[]; readonly annual_cap: Fen };
}

function band(b: BandShape<Fen, Ratio>): BandShape<string, string> {
  return { upto: b.upto === null ? null : formatYuan(b.upto), ratio: formatRatio(b.ratio) };
}

function traveller(t: TravellerRule<Ratio>): TravellerRule<string> {
  if (t.kind === 'points_off') return { kind: 'points_off', points: formatRatio(t.points) };
  if (t.kind === 'multiplier') return { kind: 'multiplier', factor: formatRatio(t.factor) };
  return { kind: 'none' };
}

/** Back to the stored form; validatePolicy(policyToDoc(p)) gives p again. */
export function policyToDoc(p: Policy): PolicyDoc {
  const d = p.deductible.per_stay;
  const y = formatYuan;
  const r = formatRatio;
  const tt = p.temporary_traveller;
  return {
    policy_id: p.policy_id,
    version: p.version,
    name: p.name,
    source: p.source,
    scope: { ...p.scope, hosp_lv: [...p.scope.hosp_lv], psn_type: [...p.scope.psn_type] },
    effective_from: p.effective_from,
    effective_to: p.effective_to,
    deductible: {
      per_stay:
        d.kind === 'fixed'
          ? { kind: 'fixed', amount: y(d.amount) }
          : { kind: 'share_of_stay', share: r(d.share), basis: d.basis, floor: y(d.floor), cap: y(d.cap) },
      annual_total_cap: p.deductible.annual_total_cap === null ? null : y(p.deductible.annual_total_cap),
    },
    fund: { bands: p.fund.bands.map(band), annual_cap: y(p.fund.annual_cap) },
    temporary_traveller: {
      long_term: traveller(tt.long_term),
      referral: traveller(tt.referral),
      emergency: traveller(tt.emergency),
      temporary_other: traveller(tt.temporary_other),
      none: traveller(tt.none),
    },
    serious_illness:
      p.serious_illness === null
        ? null
        : {
            fund: p.serious_illness.fund,
            threshold: y(p.serious_illness.threshold),
            bands: p.serious_illness.bands.map(band),
            annual_cap: y(p.serious_illness.annual_cap),
          },
    civil_servant:
      p.civil_servant === null
        ? null
        : { ratio: r(p.civil_servant.ratio), annual_cap: y(p.civil_servant.annual_cap) },
    other_fund:
      p.other_fund === null
        ? null
        : { ...p.other_fund, ratio: r(p.other_fund.ratio), annual_cap: y(p.other_fund.annual_cap) },
    medical_assistance:
      p.medical_assistance === null
        ? null
        : {
            threshold_per_stay: y(p.medical_assistance.threshold_per_stay),
            ratio: r(p.medical_assistance.ratio),
            annual_cap: y(p.medical_assistance.annual_cap),
          },
    personal_account: p.personal_account === null ? null : { covers: p.personal_account.covers },
  };
}
