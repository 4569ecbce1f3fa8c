// Reading a claim and accumulators from untrusted JSON (an API body, a stored row), so activities
// hand the core only checked values. Amounts are yuan strings, as the national interface sends them.
import { ACCUMULATOR_FIELDS, type Accumulators, type ClaimContext } from './calculate';
import { type FeeLine, parseFeeDetail } from './catalogue';
import { fail, ok, type Result } from './errors';
import type { Fen } from './money';
import { FILING_TYPES, INSUTYPES, MED_TYPES, PSN_TYPES } from './policy';
import { join, Reader } from './read';

export interface Claim {
  readonly context: ClaimContext;
  readonly lines: readonly FeeLine[];
}

const CONTEXT = [
  'psn_no',
  'insutype',
  'psn_type',
  'med_type',
  'filing_type',
  'cvlserv_flag',
  'maf_eligible',
] as const;

/** { psn_no, insutype, psn_type, med_type, filing_type, cvlserv_flag, maf_eligible, feedetail: [...] }. */
export function parseClaim(input: unknown): Result<Claim> {
  const r = new Reader();
  const o = r.object(input, '', [...CONTEXT, 'feedetail']);
  if (o === null) return fail(r.errors);
  const context: ClaimContext = {
    psn_no: r.string(o.psn_no, 'psn_no'),
    insutype: r.oneOf(o.insutype, 'insutype', INSUTYPES),
    psn_type: r.oneOf(o.psn_type, 'psn_type', PSN_TYPES),
    med_type: r.oneOf(o.med_type, 'med_type', MED_TYPES),
    filing_type: r.oneOf(o.filing_type, 'filing_type', FILING_TYPES),
    cvlserv_flag: r.boolean(o.cvlserv_flag, 'cvlserv_flag'),
    maf_eligible: r.boolean(o.maf_eligible, 'maf_eligible'),
  };
  const lines = o.feedetail === undefined ? null : parseFeeDetail(o.feedetail);
  const errors = [...r.errors, ...(lines !== null && !lines.ok ? lines.errors : [])];
  if (errors.length > 0 || lines === null || !lines.ok) return fail(errors);
  return ok({ context, lines: lines.value });
}

/** Every accumulator as a yuan string; none may be left out (a missing figure is not zero). */
export function parseAccumulators(input: unknown, path = 'accumulators'): Result<Accumulators> {
  const r = new Reader();
  const o = r.object(input, path, ACCUMULATOR_FIELDS);
  if (o === null) return fail(r.errors);
  const out = {} as Record<keyof Accumulators, Fen>;
  for (const k of ACCUMULATOR_FIELDS) out[k] = r.yuan(o[k], join(path, k));
  return r.errors.length > 0 ? fail(r.errors) : ok(out);
}
