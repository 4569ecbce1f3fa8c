// 待遇补差: what the stay would have had as a manual claim under the insured place's own catalogue
// and policy, against the direct settlement's fund payment. [U] No official text: eligibility,
// threshold and deadline are per-province parameters (pilots reported in 安徽 and 海南).
import {
  ACCUMULATOR_FIELDS,
  type Accumulators,
  type ClaimContext,
  calculate,
  type Settlement,
} from './calculate';
import type { Catalogue, FeeLine } from './catalogue';
import { classify } from './classify';
import { fail, issue, ok, type Result } from './errors';
import { type Fen, min, remaining, formatYuan as y } from './money';
import type { Policy } from './policy';
import { isDate, Reader } from './read';
import { accumulatorEffect } from './reversal';

export interface CompensationParams {
  /** Whether the insured province runs 待遇补差 at all. */
  readonly enabled: boolean;
  /** The gap must exceed this to be paid. */
  readonly threshold: Fen;
  /** Days after discharge within which the application must arrive. */
  readonly deadline_days: number;
}

export interface CompensationInput {
  /** The direct settlement already made (under the treatment place's catalogue). */
  readonly direct: Settlement;
  readonly lines: readonly FeeLine[];
  readonly claim: ClaimContext;
  /** The insured place's own catalogue and the policy version used for the direct settlement. */
  readonly insured_catalogue: Catalogue;
  readonly insured_policy: Policy;
  readonly dscg_date: string;
  readonly appy_date: string;
  readonly params: CompensationParams;
}

export interface CompensationStep {
  readonly step: 'recompute' | 'gap' | 'enabled' | 'threshold' | 'deadline';
  readonly rule: string;
  readonly amount: Fen | null;
  readonly passed: boolean;
}

export interface Compensation {
  /** The manual-claim settlement under the insured place's catalogue, from the same accumulators. */
  readonly recomputed: Settlement;
  readonly direct_fund_pay: Fen;
  readonly recomputed_fund_pay: Fen;
  /** recomputed − direct, in fen; negative when the direct settlement paid more. */
  readonly difference: number;
  /** What would be paid: the difference when positive and qualifying, else zero. */
  readonly gap: Fen;
  readonly qualifies: boolean;
  readonly steps: readonly CompensationStep[];
}

function daysBetween(from: string, to: string): number {
  return (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000;
}

export function computeCompensation(input: CompensationInput): Result<Compensation> {
  const { direct, params } = input;
  if (!isDate(input.dscg_date)) return fail([issue('dscg_date', 'format', 'must be a date YYYY-MM-DD')]);
  if (!isDate(input.appy_date)) return fail([issue('appy_date', 'format', 'must be a date YYYY-MM-DD')]);
  if (!Number.isSafeInteger(params.deadline_days) || params.deadline_days < 0) {
    return fail([issue('params.deadline_days', 'range', 'must be a whole number of days ≥ 0')]);
  }
  const t = classify(input.lines, input.insured_catalogue);
  if (!t.ok) return t;
  // Same accumulators as the direct settlement had: the manual claim replaces it, it does not follow it.
  const acc: Accumulators = direct.accumulators_before;
  const r = calculate(t.value, input.claim, input.insured_policy, acc);
  if (!r.ok) return r;
  const recomputed = r.value;
  const was = direct.setlinfo.fund_pay_sumamt;
  const would = recomputed.setlinfo.fund_pay_sumamt;
  const difference = would - was;
  const days = daysBetween(input.dscg_date, input.appy_date);
  const inTime = days >= 0 && days <= params.deadline_days;
  const above = difference > params.threshold;
  const qualifies = params.enabled && above && inTime;
  const steps: CompensationStep[] = [
    {
      step: 'recompute',
      rule: `manual claim under ${input.insured_catalogue.admvs}'s catalogue and ${input.insured_policy.policy_id} v${input.insured_policy.version}: in scope ${y(recomputed.setlinfo.inscp_scp_amt)} (direct: ${y(direct.setlinfo.inscp_scp_amt)})`,
      amount: would,
      passed: true,
    },
    {
      step: 'gap',
      rule: `${y(would)} recomputed − ${y(was)} paid by direct settlement`,
      amount: difference > 0 ? (difference as Fen) : (0 as Fen),
      passed: difference > 0,
    },
    {
      step: 'enabled',
      rule: params.enabled
        ? 'the insured province pays 待遇补差'
        : 'the insured province does not pay 待遇补差',
      amount: null,
      passed: params.enabled,
    },
    {
      step: 'threshold',
      rule: `gap must exceed ${y(params.threshold)}`,
      amount: params.threshold,
      passed: above,
    },
    {
      step: 'deadline',
      rule: `applied ${days} day(s) after discharge ${input.dscg_date}; limit ${params.deadline_days} day(s)`,
      amount: null,
      passed: inTime,
    },
  ];
  return ok({
    recomputed,
    direct_fund_pay: was,
    recomputed_fund_pay: would,
    difference,
    gap: (qualifies ? difference : 0) as Fen,
    qualifies,
    steps,
  });
}

/** The year-to-date figures a fund's annual cap limits, with where the policy keeps that cap. */
export const CAPPED_FUNDS = [
  'hifp_paid_ytd',
  'si_paid_ytd',
  'cvlserv_paid_ytd',
  'oth_paid_ytd',
  'maf_paid_ytd',
] as const satisfies readonly (keyof Accumulators)[];
export type CappedFund = (typeof CAPPED_FUNDS)[number];

function annualCap(policy: Policy, f: CappedFund): Fen {
  switch (f) {
    case 'hifp_paid_ytd':
      return policy.fund.annual_cap;
    case 'si_paid_ytd':
      return policy.serious_illness?.annual_cap ?? (0 as Fen);
    case 'cvlserv_paid_ytd':
      return policy.civil_servant?.annual_cap ?? (0 as Fen);
    case 'oth_paid_ytd':
      return policy.other_fund?.annual_cap ?? (0 as Fen);
    case 'maf_paid_ytd':
      return policy.medical_assistance?.annual_cap ?? (0 as Fen);
  }
}

/** One fund whose annual cap left less than the approved gap asked of it. */
export interface CapLimit {
  readonly fund: CappedFund;
  readonly annual_cap: Fen;
  /** Paid this year when the payment is made (later stays of the person included). */
  readonly paid_ytd: Fen;
  readonly left: Fen;
  /** This fund's part of the approved gap, and what the cap lets it pay. */
  readonly assessed: Fen;
  readonly allowed: Fen;
}

export interface CappedPayment {
  /** What is paid now: the approved gap less what the caps no longer leave; zero pays nothing. */
  readonly paid: Fen;
  /** What the payment moves in the accumulators (the approved effect, capped fund by fund). */
  readonly effect: Accumulators;
  readonly limits: readonly CapLimit[];
}

/**
 * The approved gap against the caps as they stand at payment. The gap was assessed from the
 * accumulators the direct settlement started from; another stay of the person settled since may have
 * used the room, and the law caps what a fund pays a person in a year. Each fund's part of the gap
 * (`effect`, recomputed − direct) is limited to what its cap leaves; the deductible and the
 * serious-illness basis move as assessed (the stay's own figures, not capped).
 */
export function capCompensationPayment(
  gap: Fen,
  effect: Accumulators,
  current: Accumulators,
  policy: Policy,
): CappedPayment {
  const limits: CapLimit[] = [];
  const capped: Record<keyof Accumulators, number> = { ...effect };
  let cut = 0;
  for (const fund of CAPPED_FUNDS) {
    const assessed = effect[fund];
    if (assessed <= 0) continue;
    const annual_cap = annualCap(policy, fund);
    const left = remaining(annual_cap, current[fund]);
    if (assessed <= left) continue;
    const allowed = min(assessed, left);
    limits.push({ fund, annual_cap, paid_ytd: current[fund], left, assessed, allowed });
    capped[fund] = allowed;
    cut += assessed - allowed;
  }
  const paid = gap - cut;
  if (paid <= 0) {
    const none = Object.fromEntries(ACCUMULATOR_FIELDS.map((k) => [k, 0])) as unknown as Accumulators;
    return { paid: 0 as Fen, effect: none, limits };
  }
  return { paid: paid as Fen, effect: capped as unknown as Accumulators, limits };
}

/**
 * What an approved gap pays when it is paid, against the person's accumulators as they stand then
 * (`current`: the direct settlement and any stay settled since). Nothing cut by a cap: the gap as
 * approved. Otherwise the manual claim is computed again from `current` less the direct settlement's
 * own effect — as if it had replaced the direct settlement after the other stays — so what a cap cuts
 * from one fund falls to the layers below it (大病保险 on the larger personal share), and the deductible
 * and the 大病 basis follow; it pays that difference, at most the approved gap, and moves the
 * accumulators by exactly what the recomputation moves in place of the direct one (never past a cap,
 * since it was computed under them). Accumulators holding less than the settlement added (the ledger
 * inconsistent) or a recomputation above the approved gap: the per-fund clamp alone.
 */
export function compensationPayment(
  input: CompensationInput,
  gap: Fen,
  effect: Accumulators,
  current: Accumulators,
): Result<CappedPayment> {
  const clamp = capCompensationPayment(gap, effect, current, input.insured_policy);
  if (clamp.limits.length === 0) return ok(clamp);
  const d = accumulatorEffect(input.direct);
  const base = Object.fromEntries(
    ACCUMULATOR_FIELDS.map((k) => [k, k === 'acct_balc' ? current[k] + d[k] : current[k] - d[k]]),
  ) as unknown as Accumulators;
  if (ACCUMULATOR_FIELDS.some((k) => base[k] < 0)) return ok(clamp);
  const t = classify(input.lines, input.insured_catalogue);
  if (!t.ok) return t;
  const r = calculate(t.value, input.claim, input.insured_policy, base);
  if (!r.ok) return r;
  const due = r.value.setlinfo.fund_pay_sumamt - input.direct.setlinfo.fund_pay_sumamt;
  if (due > gap) return ok(clamp);
  if (due <= 0) {
    const none = Object.fromEntries(ACCUMULATOR_FIELDS.map((k) => [k, 0])) as unknown as Accumulators;
    return ok({ paid: 0 as Fen, effect: none, limits: clamp.limits });
  }
  const re = accumulatorEffect(r.value);
  // The personal account is not touched by a 待遇补差 payment (as in the approved effect).
  const moved = Object.fromEntries(
    ACCUMULATOR_FIELDS.map((k) => [k, k === 'acct_balc' ? 0 : re[k] - d[k]]),
  ) as unknown as Accumulators;
  return ok({ paid: due as Fen, effect: moved, limits: clamp.limits });
}

/** Reads { enabled, threshold: "yuan", deadline_days } (e.g. fixtures/parameters.ts). */
export function validateCompensationParams(input: unknown): Result<CompensationParams> {
  const r = new Reader();
  const o = r.object(input, 'params', ['enabled', 'threshold', 'deadline_days']);
  if (o === null) return fail(r.errors);
  const p: CompensationParams = {
    enabled: r.boolean(o.enabled, 'params.enabled'),
    threshold: r.yuan(o.threshold, 'params.threshold'),
    deadline_days: r.integer(o.deadline_days, 'params.deadline_days', 0),
  };
  return r.errors.length > 0 ? fail(r.errors) : ok(p);
}
