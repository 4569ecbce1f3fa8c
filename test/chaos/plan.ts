/**
 * The chaos run's plan: which cases are filed and how, and which faults strike when. Pure and
 * seeded, so `--seed` replays the same plan (the interleaving under load still varies).
 */
import type { Decision, FilingCategory } from '../../cases/types';
import { FILING_CATEGORIES } from '../../cases/types';

export const FAULT_KINDS = ['pause', 'worker', 'restart-term', 'restart-kill'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** The demo citizens and the staff of their insured province (README, demo accounts). */
export const CITIZENS = [
  { username: 'zhangwei', psn_no: 'P34010000000001', staff: 'staff-ah' },
  { username: 'lixiuying', psn_no: 'P34010000000002', staff: 'staff-ah' },
  { username: 'wangfang', psn_no: 'P46000000000001', staff: 'staff-hi' },
  { username: 'liuyang', psn_no: 'P32030000000001', staff: 'staff-js' },
  // Insurance suspended: every filing is rejected at the status check, whatever happens around it.
  { username: 'chenjing', psn_no: 'P44030000000001', staff: null },
] as const;
export type Citizen = (typeof CITIZENS)[number];

/**
 * How the clients send: once, resent after the answer, or twice at the same moment — the citizen's
 * filing POST (same Idempotency-Key) and the reviewer's decisions alike.
 */
export type Submission = 'once' | 'retry' | 'concurrent';
/**
 * What the citizen does besides: nothing, a change or a cancel once the filing is active, a cancel while
 * the review is open, or a cancel sent at the same moment as the reviewer's approval.
 */
export type FollowUp = 'none' | 'change' | 'cancel' | 'cancel-during-review' | 'cancel-races-approval';

export interface CasePlan {
  n: number;
  citizen: Citizen;
  category: FilingCategory;
  submission: Submission;
  /** Referral reviews only: the decisions staff make, round by round (more_info is answered). */
  decisions: Decision[];
  /** Whether staff claim the task before deciding (else the decision is refused TASK_NOT_CLAIMED, and they claim then). */
  claim: boolean;
  followUp: FollowUp;
  /** The Idempotency-Key every attempt of the filing POST carries. */
  key: string;
}

export interface FaultPlan {
  kind: FaultKind;
  /** Without stays: strikes once this many filings were acknowledged (an event, not the clock). */
  afterFiled: number;
  /**
   * With stays: strikes once stay `stay` has had `afterAnswers` of its messages answered, fewer than
   * it sends, so the stay's next message (and the filings around it) are in flight when it falls.
   */
  stay: number | null;
  afterAnswers: number;
  /** How long PostgreSQL stays paused. */
  pauseMs: number;
}

/** mulberry32: small, fast and good enough to pick a case mix. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

const REVIEWS: Decision[][] = [
  ['approve'],
  ['reject'],
  ['more_info', 'approve'],
  ['more_info', 'reject'],
  ['more_info', 'more_info', 'approve'],
];

export function planCases(seed: number, count: number): CasePlan[] {
  const random = rng(seed);
  const plans: CasePlan[] = [];
  for (let n = 1; n <= count; n++) {
    // chenjing less often: her filings end at once and exercise little.
    const citizen = random() < 0.1 ? CITIZENS[4] : pick(random, CITIZENS.slice(0, 4));
    // Referrals carry the review, the richest path: about half the cases.
    const category: FilingCategory = random() < 0.5 ? 'referral' : pick(random, FILING_CATEGORIES);
    const submission = pick<Submission>(random, ['once', 'once', 'retry', 'concurrent']);
    const decisions = category === 'referral' ? pick(random, REVIEWS) : [];
    // A long-term filing's change and cancel are refused within its lock: the refusal is checked too.
    const followUps: FollowUp[] =
      category === 'referral'
        ? ['none', 'change', 'cancel', 'cancel-during-review', 'cancel-races-approval']
        : ['none', 'change', 'cancel'];
    plans.push({
      n,
      citizen,
      category,
      submission,
      decisions,
      claim: random() < 0.7,
      followUp: pick(random, followUps),
      key: `chaos-${seed}-${n}`,
    });
  }
  return plans;
}

/**
 * Faults spread over the run, each kind at least once when enabled, in a seeded order. Given the stays
 * (how many messages each sends), each fault is tied to a point inside one: the stays are spread over the
 * filings, so a fault falling mid-stay also falls while filings are in flight.
 */
export function planFaults(
  seed: number,
  cases: number,
  kinds: readonly FaultKind[],
  stayMessages: readonly number[] = [],
): FaultPlan[] {
  if (kinds.length === 0) return [];
  const random = rng(seed ^ 0x5eed);
  const perKind = Math.max(1, Math.round(cases / 20));
  const order: FaultKind[] = [];
  for (let i = 0; i < perKind; i++) order.push(...kinds);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j] as FaultKind, order[i] as FaultKind];
  }
  // Strike while cases are in flight: between the first filing and the last fifth of the run.
  const span = Math.max(1, Math.floor(cases * 0.8));
  const plans = order.map((kind, i) => {
    const pauseMs = 2_000 + Math.floor(random() * 3_000);
    // The stays in order, faults spread evenly over them (a stay takes two when there are fewer stays).
    const stayIndex = stayMessages.length > 0 ? Math.floor((i * stayMessages.length) / order.length) : -1;
    const messages = stayMessages[stayIndex] ?? 0;
    return {
      kind,
      afterFiled: Math.max(1, Math.floor(((i + 0.5) * span) / order.length)),
      stay: stayIndex >= 0 ? stayIndex + 1 : null,
      // After the first answered message and before the last: the stay has begun and is not done.
      afterAnswers: messages > 1 ? 1 + Math.floor(random() * (messages - 1)) : 0,
      pauseMs,
    };
  });
  // In the order they fall: within a stay by answer, so no fault waits on a point the stay has passed.
  for (const stay of new Set(plans.map((f) => f.stay))) {
    const same = plans.filter((f) => f.stay === stay);
    const answers = same.map((f) => f.afterAnswers).sort((a, b) => a - b);
    same.forEach((f, i) => {
      f.afterAnswers = answers[i] as number;
    });
  }
  return plans;
}
