// Builders for core-level tests: a policy document with overrides, validated; a claim; accumulators.
import type { Accumulators, ClaimContext, Settlement } from '../../settlement/calculate';
import { ZERO_ACCUMULATORS } from '../../settlement/calculate';
import type { LineTotals } from '../../settlement/classify';
import type { Result } from '../../settlement/errors';
import { type Fen, fen } from '../../settlement/money';
import type { Policy, PolicyDoc } from '../../settlement/policy';
import { validatePolicy } from '../../settlement/policy-validate';

export function unwrap<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.errors)}`);
  return r.value;
}

export const BASE_DOC: PolicyDoc = {
  policy_id: 'T-1',
  version: 1,
  name: 'test policy',
  source: '[U] test',
  scope: {
    admvs: '340100',
    insutype: '310',
    med_type: '21',
    hosp_lv: ['1', '2', '3'],
    psn_type: ['in_service', 'retired'],
  },
  effective_from: '2024-01-01',
  effective_to: null,
  deductible: { per_stay: { kind: 'fixed', amount: '0.00' }, annual_total_cap: null },
  fund: { bands: [{ upto: null, ratio: '0.80' }], annual_cap: '300000.00' },
  temporary_traveller: {
    long_term: { kind: 'none' },
    referral: { kind: 'none' },
    emergency: { kind: 'none' },
    temporary_other: { kind: 'none' },
    none: { kind: 'none' },
  },
  serious_illness: null,
  civil_servant: null,
  other_fund: null,
  medical_assistance: null,
  personal_account: null,
};

export function doc(over: Partial<PolicyDoc> = {}): PolicyDoc {
  return { ...BASE_DOC, ...over };
}

export function pol(over: Partial<PolicyDoc> = {}): Policy {
  return unwrap(validatePolicy(doc(over)));
}

export const CLAIM: ClaimContext = {
  psn_no: 'P1',
  insutype: '310',
  psn_type: 'in_service',
  med_type: '21',
  filing_type: 'long_term',
  cvlserv_flag: false,
  maf_eligible: false,
};

export function claim(over: Partial<ClaimContext> = {}): ClaimContext {
  return { ...CLAIM, ...over };
}

export function acc(over: Partial<Record<keyof Accumulators, number>> = {}): Accumulators {
  const out: Record<string, number> = { ...ZERO_ACCUMULATORS };
  for (const [k, v] of Object.entries(over)) out[k] = fen(v as number);
  return out as unknown as Accumulators;
}

/** Totals with everything in scope unless told otherwise (amounts in fen). */
export function totals(
  inscp: number,
  extra: { full?: number; over?: number; pre?: number } = {},
): LineTotals {
  const full = extra.full ?? 0;
  const over = extra.over ?? 0;
  const pre = extra.pre ?? 0;
  return {
    medfee_sumamt: fen(inscp + full + over + pre),
    fulamt_ownpay_amt: fen(full),
    overlmt_selfpay: fen(over),
    preselfpay_amt: fen(pre),
    inscp_scp_amt: fen(inscp),
    line_count: 1,
    unlisted_count: 0,
  };
}

export const Y = (yuan: number): Fen => fen(Math.round(yuan * 100));

export function step(s: Settlement, name: string) {
  const d = s.setldetail.find((x) => x.step === name);
  if (d === undefined) throw new Error(`no step ${name}`);
  return d;
}
