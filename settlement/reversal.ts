// 结算撤销 (2305): a reversal gives back exactly what the settlement took from the person's
// year-to-date accumulators and personal account, so settle → reverse → settle again equals settling once.
import { ACCUMULATOR_FIELDS, type Accumulators, type Settlement } from './calculate';
import { fail, issue, ok, type Result, type ValidationError } from './errors';
import { type Fen, formatYuan } from './money';

/** What a settlement added to each accumulator (the account balance: what it took, as a positive amount). */
export function accumulatorEffect(s: Settlement): Accumulators {
  const b = s.accumulators_before;
  const a = s.accumulators_after;
  return {
    dedc_paid_ytd: (a.dedc_paid_ytd - b.dedc_paid_ytd) as Fen,
    hifp_paid_ytd: (a.hifp_paid_ytd - b.hifp_paid_ytd) as Fen,
    si_base_ytd: (a.si_base_ytd - b.si_base_ytd) as Fen,
    si_paid_ytd: (a.si_paid_ytd - b.si_paid_ytd) as Fen,
    cvlserv_paid_ytd: (a.cvlserv_paid_ytd - b.cvlserv_paid_ytd) as Fen,
    oth_paid_ytd: (a.oth_paid_ytd - b.oth_paid_ytd) as Fen,
    maf_paid_ytd: (a.maf_paid_ytd - b.maf_paid_ytd) as Fen,
    acct_balc: (b.acct_balc - a.acct_balc) as Fen,
  };
}

export interface Reversal {
  /** What goes back: subtracted from the year-to-date figures, added to the account balance. */
  readonly given_back: Accumulators;
  readonly accumulators_after: Accumulators;
  readonly explanation: readonly string[];
}

/**
 * Reverses a settlement against the person's current accumulators (which may include later stays).
 * Refused when an accumulator holds less than the settlement added: the ledger is inconsistent, and
 * clamping at zero would hide it.
 */
export function reverse(s: Settlement, current: Accumulators): Result<Reversal> {
  const back = accumulatorEffect(s);
  const errors: ValidationError[] = [];
  const after: Record<keyof Accumulators, number> = { ...current };
  const explanation: string[] = [];
  for (const k of ACCUMULATOR_FIELDS) {
    if (k === 'acct_balc') {
      after[k] = current[k] + back[k];
      if (back[k] > 0) explanation.push(`acct_balc: ${formatYuan(back[k])} back to the personal account`);
      continue;
    }
    if (current[k] < back[k]) {
      errors.push(
        issue(
          `accumulators.${k}`,
          'inconsistent',
          `holds ${formatYuan(current[k])}, less than the ${formatYuan(back[k])} settlement ${s.psn_no}/${s.policy_id} added`,
        ),
      );
      continue;
    }
    after[k] = current[k] - back[k];
    if (back[k] > 0) explanation.push(`${k}: ${formatYuan(back[k])} given back`);
  }
  if (errors.length > 0) return fail(errors);
  return ok({ given_back: back, accumulators_after: after as unknown as Accumulators, explanation });
}
