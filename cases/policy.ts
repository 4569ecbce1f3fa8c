/**
 * Case-handling parameters of the insured province's agency for filings and referrals. All are [U]
 * working assumptions from the domain brief (§1, §2, addendum): parameters per province, never
 * constants in workflow code. Pure: imported by workflows and by the API.
 */
export interface CasePolicy {
  /** Handling staff must decide a referral within this many working days (brief §2: "e.g. 3"). */
  referral_sla_working_days: number;
  /** After escalation, the supervisor's own limit in working days (brief §2: "escalate to a supervisor"). */
  supervisor_sla_working_days: number;
  /** A long-term filing cannot be changed or cancelled within this many months of taking effect (§1 [3P/U]). */
  long_term_lock_months: number;
  /** Validity of a temporary filing (其他临时外出, 急诊抢救): "at least 6 months" (§1 [3P]). */
  temporary_validity_months: number;
  /** Validity of an approved referral: 3 months in 福州, 12 in 徐州 (addendum [3P]). */
  referral_validity_months: number;
  /** 问题协同: the first responder (第一响应人) of this province answers a ticket within this many working days [U]. */
  ticket_response_working_days: number;
  /** 问题协同: the other side's assisting task, its own limit [U]. */
  ticket_assist_working_days: number;
}

export const DEFAULT_CASE_POLICY: CasePolicy = {
  referral_sla_working_days: 3,
  supervisor_sla_working_days: 2,
  long_term_lock_months: 6,
  temporary_validity_months: 6,
  referral_validity_months: 6,
  ticket_response_working_days: 2,
  ticket_assist_working_days: 3,
};

/** Per-province overrides of DEFAULT_CASE_POLICY, by insured province code. */
export const PROVINCE_CASE_POLICY: Readonly<Record<string, Partial<CasePolicy>>> = {
  // 江苏: 徐州 gives referrals 12 months (addendum [3P]); applied province-wide until cities are modelled.
  '320000': { referral_validity_months: 12 },
  // 福建: 福州 gives referrals 3 months (addendum [3P]).
  '350000': { referral_validity_months: 3 },
};

export function casePolicyFor(prov_admdvs: string): CasePolicy {
  return { ...DEFAULT_CASE_POLICY, ...PROVINCE_CASE_POLICY[prov_admdvs] };
}
