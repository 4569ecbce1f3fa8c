// The vector format of settlement-io.md: a flat, self-contained case (pre-classified lines, a flat
// policy, two accumulators) mapped onto the core's richer model. Used by the CLI and the tests.
import type { Accumulators, ClaimContext, Settlement } from './calculate';
import { settleClassified, ZERO_ACCUMULATORS } from './calculate';
import { CHRGITM_LVS, type ClassifiedLine } from './catalogue';
import { fail, ok, type Result, type ValidationError } from './errors';
import { type Fen, formatYuan } from './money';
import { type SetlDetailJson, type SetlinfoJson, setldetailToJson, setlinfoToJson } from './output';
import { FILING_TYPES, INSUTYPES, MED_TYPES, type Policy, type PolicyDoc } from './policy';
import { validatePolicy } from './policy-validate';
import { NIL } from './ratio';
import { join, Reader } from './read';

export interface VectorCase {
  readonly insuplc_admdvs: string;
  readonly mdtrtarea_admvs: string;
  readonly claim: ClaimContext;
  readonly lines: readonly ClassifiedLine[];
  readonly policy: Policy;
  readonly accumulators: Accumulators;
}

const ADMVS = /^[0-9]{6}$/;
const TOP = [
  'psn_no',
  'insutype',
  'med_type',
  'insuplc_admdvs',
  'mdtrtarea_admvs',
  'filing_type',
  'feedetail',
  'policy',
  'accumulators',
] as const;

function lines(r: Reader, v: unknown): ClassifiedLine[] {
  const out: ClassifiedLine[] = [];
  const seen = new Set<string>();
  r.array(v, 'feedetail', 1).forEach((item, i) => {
    const p = join('feedetail', i);
    const o = r.object(
      item,
      p,
      ['feedetl_sn', 'med_list_codg', 'det_item_fee_sumamt', 'chrgitm_lv'],
      ['selfpay_prop', 'overlmt_amt'],
    );
    if (o === null) return;
    const sn = r.string(o.feedetl_sn, join(p, 'feedetl_sn'));
    if (seen.has(sn)) r.fail(join(p, 'feedetl_sn'), 'inconsistent', `duplicate feedetl_sn "${sn}"`);
    seen.add(sn);
    r.string(o.med_list_codg, join(p, 'med_list_codg'));
    const amt = r.yuan(o.det_item_fee_sumamt, join(p, 'det_item_fee_sumamt'));
    const lv = r.oneOf(o.chrgitm_lv, join(p, 'chrgitm_lv'), CHRGITM_LVS);
    let prop = NIL;
    if (lv === '02') prop = r.ratio(o.selfpay_prop, join(p, 'selfpay_prop'));
    else if (o.selfpay_prop !== undefined) {
      r.fail(join(p, 'selfpay_prop'), 'inconsistent', 'only 乙 (chrgitm_lv 02) lines have a selfpay_prop');
    }
    const over = o.overlmt_amt === undefined ? (0 as Fen) : r.yuan(o.overlmt_amt, join(p, 'overlmt_amt'));
    if (over > amt) r.fail(join(p, 'overlmt_amt'), 'range', 'exceeds the line’s det_item_fee_sumamt');
    out.push({
      feedetl_sn: sn,
      det_item_fee_sumamt: amt,
      chrgitm_lv: lv,
      selfpay_prop: prop,
      overlmt_amt: over,
    });
  });
  return out;
}

/** Error paths of the rich model, renamed to the vector's fields. */
function renamePath(path: string, flat: boolean): string {
  return path
    .replace(/^fund\.bands(\[0\]\.ratio)?/, (_m, first) =>
      flat ? 'policy.pay_ratio' : `policy.pay_bands${first ?? ''}`,
    )
    .replace(/^fund\.annual_cap/, 'policy.annual_cap')
    .replace(/^deductible\.(per_stay\.amount|annual_total_cap)/, 'policy.dedc_std')
    .replace(/^temporary_traveller\.[a-z_]+\.points/, 'policy.temporary_ratio_cut');
}

function policy(r: Reader, v: unknown, admvs: string, insutype: (typeof INSUTYPES)[number]): Policy | null {
  const o = r.object(
    v,
    'policy',
    ['dedc_std', 'annual_cap', 'temporary_ratio_cut'],
    ['pay_ratio', 'pay_bands'],
  );
  if (o === null) return null;
  const hasRatio = o.pay_ratio !== undefined && o.pay_ratio !== null;
  const hasBands = o.pay_bands !== undefined && o.pay_bands !== null;
  if (hasRatio === hasBands) {
    r.fail(
      'policy.pay_ratio',
      'inconsistent',
      'give exactly one of pay_ratio and pay_bands (the other null)',
    );
    return null;
  }
  const cut = o.temporary_ratio_cut;
  const cutRule =
    cut === '0.00' || cut === '0' ? { kind: 'none' as const } : { kind: 'points_off' as const, points: cut };
  const doc = {
    policy_id: `vector-${admvs}-${insutype}`,
    version: 1,
    name: 'flat policy of a settlement vector',
    source: 'settlement-io.md vector input',
    scope: { admvs, insutype, med_type: '21', hosp_lv: ['1', '2', '3'], psn_type: ['in_service', 'retired'] },
    effective_from: '2000-01-01',
    effective_to: null,
    // The vector's dedc_std is a yearly deductible: dedc_std − dedc_paid_ytd remains.
    deductible: {
      per_stay: { kind: 'fixed', amount: o.dedc_std },
      annual_total_cap: o.dedc_std === '0.00' ? null : o.dedc_std,
    },
    fund: { bands: hasBands ? o.pay_bands : [{ upto: null, ratio: o.pay_ratio }], annual_cap: o.annual_cap },
    // [U] An unfiled stay (`none`) settled directly gets the same cut as other temporary travel.
    temporary_traveller: {
      long_term: { kind: 'none' },
      referral: cutRule,
      emergency: { kind: 'none' },
      temporary_other: cutRule,
      none: cutRule,
    },
    serious_illness: null,
    civil_servant: null,
    other_fund: null,
    medical_assistance: null,
    personal_account: null,
  } as unknown as PolicyDoc;
  const v2 = validatePolicy(doc);
  if (!v2.ok) {
    // dedc_std feeds two fields of the rich model (and the cut three): report each vector field once.
    const seen = new Set<string>();
    for (const e of v2.errors) {
      const path = renamePath(e.path, !hasBands);
      if (seen.has(`${path}|${e.code}`)) continue;
      seen.add(`${path}|${e.code}`);
      r.errors.push({ ...e, path });
    }
    return null;
  }
  return v2.value;
}

/** Reads a vector-format case; every problem is reported with its field path. */
export function parseVector(input: unknown): Result<VectorCase> {
  const r = new Reader();
  const o = r.object(input, '', TOP);
  if (o === null) return fail(r.errors);
  const psn_no = r.string(o.psn_no, 'psn_no');
  const insutype = r.oneOf(o.insutype, 'insutype', INSUTYPES);
  const med_type = r.oneOf(o.med_type, 'med_type', MED_TYPES);
  const insuplc = r.string(o.insuplc_admdvs, 'insuplc_admdvs', ADMVS, 'a 6-digit admvs code');
  const mdtrtarea = r.string(o.mdtrtarea_admvs, 'mdtrtarea_admvs', ADMVS, 'a 6-digit admvs code');
  const filing_type = r.oneOf(o.filing_type, 'filing_type', FILING_TYPES);
  const ls = lines(r, o.feedetail);
  const a = r.object(o.accumulators, 'accumulators', ['dedc_paid_ytd', 'fund_paid_ytd']);
  const acc: Accumulators = {
    ...ZERO_ACCUMULATORS,
    dedc_paid_ytd: a === null ? (0 as Fen) : r.yuan(a.dedc_paid_ytd, 'accumulators.dedc_paid_ytd'),
    hifp_paid_ytd: a === null ? (0 as Fen) : r.yuan(a.fund_paid_ytd, 'accumulators.fund_paid_ytd'),
  };
  const errorsBefore: ValidationError[] = [...r.errors];
  const p = o.policy === undefined ? null : policy(r, o.policy, insuplc, insutype);
  if (p === null || r.errors.length > 0 || errorsBefore.length > 0) return fail(r.errors);
  return ok({
    insuplc_admdvs: insuplc,
    mdtrtarea_admvs: mdtrtarea,
    claim: {
      psn_no,
      insutype,
      med_type,
      filing_type,
      psn_type: 'in_service',
      cvlserv_flag: false,
      maf_eligible: false,
    },
    lines: ls,
    policy: p,
    accumulators: acc,
  });
}

export interface VectorOutput extends SetlinfoJson {
  readonly setldetail: readonly SetlDetailJson[];
  /** In the vector's own accumulator names, so an output can feed the next case. */
  readonly accumulators_after: { readonly dedc_paid_ytd: string; readonly fund_paid_ytd: string };
}

export function vectorOutput(s: Settlement): VectorOutput {
  const a = s.accumulators_after;
  return {
    ...setlinfoToJson(s.setlinfo),
    setldetail: s.setldetail.map(setldetailToJson),
    accumulators_after: {
      dedc_paid_ytd: formatYuan(a.dedc_paid_ytd),
      fund_paid_ytd: formatYuan(a.hifp_paid_ytd),
    },
  };
}

/** Parse, settle, format: the whole CLI in one pure function. */
export function runVector(input: unknown): Result<VectorOutput> {
  const c = parseVector(input);
  if (!c.ok) return c;
  const s = settleClassified(c.value.lines, c.value.claim, c.value.policy, c.value.accumulators);
  if (!s.ok) return s;
  return ok(vectorOutput(s.value));
}
