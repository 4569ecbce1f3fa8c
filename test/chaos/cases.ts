/**
 * Drives one planned case through the public API as its citizen and the staff of their province, and
 * writes down what the platform acknowledged: that is what the invariants hold it to afterwards.
 */
import { cstDate } from '../../cases/calendar';
import type { Decision, FilingStatus } from '../../cases/types';
import { LONG_TERM_CATEGORIES } from '../../cases/types';
import { type Answer, type ChaosClient, transient } from './client';
import type { CasePlan } from './plan';
import type { TemporalProbe } from './temporal';

export interface CaseRecord {
  plan: CasePlan;
  /** Every id a 202 answered for the plan's Idempotency-Key: more than one is a doubled filing. */
  ids: Set<string>;
  /** What the platform acknowledged (2xx, or a decision it says it recorded), in order. */
  acknowledged: string[];
  /** The filing status the acknowledged requests imply; null while a review is still open. */
  expected: FilingStatus | null;
  /** Statuses a request sent but never answered may also have led to (it may have been applied). */
  alsoPossible: FilingStatus[];
  expectedMemo: string | null;
  /** When the filing POST was first sent (a resend after a restart may be answered from before it). */
  sentAt: number | null;
  /** The API said yes twice where only one yes is possible. */
  doubledAnswers: string[];
  /** Where the runner had to give up waiting, and why. */
  stalled: string | null;
  /** 4xx answers, for the report (refusals the plan expects, like a change inside the long-term lock). */
  refusals: string[];
}

/** The parts of GET /filings/{id} the runner looks at. */
interface CaseView {
  filing: { status: FilingStatus; memo: string | null };
  referral: { status: string } | null;
  tasks: { id: string; status: string }[];
}

export interface Progress {
  filed: number;
  onFiled: () => void;
}

const DESTINATIONS = [
  { mdtrtarea_admdvs: '510100', fixmedins_code: 'H51010000001' }, // 成都 华西
  { mdtrtarea_admdvs: '310000', fixmedins_code: 'H31000000001' }, // 上海
  { mdtrtarea_admdvs: '110000', fixmedins_code: 'H11000000001' }, // 北京
];

export function filingBody(plan: CasePlan): Record<string, unknown> {
  const today = cstDate(Date.now());
  const body: Record<string, unknown> = {
    category: plan.category,
    ...DESTINATIONS[plan.n % DESTINATIONS.length],
    begndate: today,
    tel: '13800000001',
    memo: `chaos case ${plan.n}`,
  };
  if (plan.category === 'referral') {
    body.referral = {
      refl_fil_type: '1',
      diag_name: '肺恶性肿瘤',
      refl_hosp_name: '合肥市第一人民医院',
      documents: ['转诊证明.pdf'],
    };
  }
  if (plan.category === 'emergency') body.emergency_adm_date = today;
  if (LONG_TERM_CATEGORIES.includes(plan.category)) {
    if (plan.n % 2 === 0) body.commitment = true;
    else body.addr = '四川省成都市武侯区国学巷37号';
  }
  return body;
}

const TERMINAL: readonly FilingStatus[] = ['ACTIVE', 'REJECTED', 'CANCELLED', 'EXPIRED', 'REVOKED'];

export class CaseRunner {
  constructor(
    private readonly client: ChaosClient,
    private readonly temporal: TemporalProbe,
    private readonly progress: Progress,
    private readonly deadline: number,
    /**
     * Called once a referral's first review task is open, before staff (or the citizen) act on it: the
     * chaos run parks a case here until the fault it waits for has struck, so the fault falls on a filing
     * awaiting staff review.
     */
    private readonly hold: (plan: CasePlan) => Promise<void> = async () => {},
  ) {}

  async run(plan: CasePlan): Promise<CaseRecord> {
    const record: CaseRecord = {
      plan,
      ids: new Set(),
      acknowledged: [],
      expected: null,
      alsoPossible: [],
      expectedMemo: null,
      stalled: null,
      refusals: [],
      doubledAnswers: [],
      sentAt: null,
    };
    try {
      await this.drive(plan, record);
    } catch (error) {
      record.stalled ??= error instanceof Stall ? error.message : `runner error: ${String(error)}`;
    }
    return record;
  }

  private async drive(plan: CasePlan, record: CaseRecord): Promise<void> {
    const citizen = plan.citizen.username;
    const id = await this.file(plan, record);
    if (!id) return;
    if (plan.citizen.staff === null) {
      record.expected = 'REJECTED';
      return;
    }
    if (plan.category !== 'referral') record.expected = 'ACTIVE';
    let view = await this.waitFor(
      id,
      citizen,
      (c) => c.filing.status !== 'SUBMITTED',
      'the filing to leave SUBMITTED',
      [id],
    );

    if (plan.category === 'referral') {
      const staff = plan.citizen.staff;
      const referralId = id.replace(/^filing-/, 'referral-');
      for (let round = 1; round <= plan.decisions.length; round++) {
        const taskId = `${referralId}-t${round}`;
        await this.waitFor(
          id,
          staff,
          (c) => c.tasks.some((t) => t.id === taskId && t.status !== 'decided'),
          `review task ${taskId}`,
          [id, referralId],
        );
        if (round === 1) await this.hold(plan);
        const decision = plan.decisions[round - 1] as Decision;
        if (round === 1 && plan.followUp === 'cancel-during-review') {
          await this.cancel(id, citizen, record);
          return;
        }
        if (round === 1 && plan.followUp === 'cancel-races-approval') {
          // The claim first, so the race is the citizen's cancel against the approval itself.
          await this.client.call('POST', `/tasks/${taskId}/claim`, { as: staff });
          const [cancelled, approved] = await Promise.all([
            this.cancel(id, citizen, record),
            this.decide(taskId, staff, 'approve', record),
          ]);
          if (!cancelled && approved) record.expected = 'ACTIVE';
          return;
        }
        if (plan.claim) {
          const claimed = await this.client.call('POST', `/tasks/${taskId}/claim`, { as: staff });
          if (claimed.status !== 200) record.refusals.push(`claim ${taskId}: ${describe(claimed)}`);
        }
        if (!(await this.decide(taskId, staff, decision, record))) return;
        if (decision === 'approve') record.expected = 'ACTIVE';
        if (decision === 'reject') record.expected = 'REJECTED';
        if (decision === 'more_info') {
          await this.waitFor(
            id,
            citizen,
            (c) => c.referral?.status === 'MORE_INFO',
            `MORE_INFO after ${taskId}`,
            [id, referralId],
          );
          // Keyed, so a resend after an unanswered attempt is the same answer, not a second one.
          let resent = false;
          const answered = await this.client.call('POST', `/filings/${id}/more-info`, {
            as: citizen,
            body: { answer: `补充材料 round ${round}`, documents: ['检查报告.pdf'] },
            key: `${plan.key}-more-info-${round}`,
            again: (a) => {
              const again = transient(a) || timedOut(a);
              resent ||= again;
              return again;
            },
          });
          if (answered.status === 202) record.acknowledged.push(`more-info answer (round ${round}) 202`);
          else if (resent && answered.status === 409 && answered.body?.code === 'NO_MORE_INFO_PENDING')
            record.acknowledged.push(`more-info answer (round ${round}) (recorded by an unanswered attempt)`);
          else record.refusals.push(`more-info answer: ${describe(answered)}`);
        }
      }
      if (record.expected === null) return;
      view = await this.waitFor(
        id,
        citizen,
        (c) => c.filing.status === record.expected,
        `status ${record.expected}`,
        [id],
      );
    } else {
      view = await this.waitFor(id, citizen, (c) => TERMINAL.includes(c.filing.status), 'a settled status', [
        id,
      ]);
    }

    if (view.filing.status !== 'ACTIVE') return;
    if (plan.followUp === 'change') {
      const memo = `chaos change ${plan.n}`;
      const changed = await this.client.call('POST', `/filings/${id}/change`, {
        as: citizen,
        body: { memo },
      });
      if (changed.status === 200) {
        record.acknowledged.push('change 200');
        record.expectedMemo = memo;
      } else record.refusals.push(`change: ${describe(changed)}`);
    } else if (plan.followUp === 'cancel') {
      await this.cancel(id, citizen, record);
    }
  }

  /** The filing POST as the plan's client sends it; returns the case id, or null when never acknowledged. */
  private async file(plan: CasePlan, record: CaseRecord): Promise<string | null> {
    const post = () =>
      this.client.call('POST', '/filings', {
        as: plan.citizen.username,
        body: filingBody(plan),
        key: plan.key,
        // The key makes a resend safe; a twin still in flight answers FILING_CONCURRENT: send again.
        again: (a) => transient(a) || (a.status === 409 && a.body?.code === 'FILING_CONCURRENT'),
      });
    const answers: Answer[] = [];
    record.sentAt = Date.now();
    if (plan.submission === 'concurrent') answers.push(...(await Promise.all([post(), post()])));
    else {
      answers.push(await post());
      if (plan.submission === 'retry') answers.push(await post());
    }
    for (const answer of answers) {
      if (answer.status === 202 && typeof answer.body?.id === 'string') record.ids.add(answer.body.id);
      else record.refusals.push(`POST /filings: ${describe(answer)}`);
    }
    if (record.ids.size === 0) return null;
    record.acknowledged.push(`POST /filings 202 ×${answers.filter((a) => a.status === 202).length}`);
    this.progress.filed += 1;
    this.progress.onFiled();
    return [...record.ids][0] as string;
  }

  private async cancel(id: string, citizen: string, record: CaseRecord): Promise<boolean> {
    const cancelled = await this.client.call('POST', `/filings/${id}/cancel`, {
      as: citizen,
      body: { reason: 'chaos: 行程取消' },
    });
    if (cancelled.status === 200) {
      record.acknowledged.push('cancel 200');
      record.expected = 'CANCELLED';
      return true;
    }
    record.refusals.push(`cancel: ${describe(cancelled)}`);
    if (cancelled.status === 0 || cancelled.status === 503) record.alsoPossible.push('CANCELLED');
    return false;
  }

  /** True when the platform recorded the decision (200 delivered, or 503 "recorded, delivery pending"). */
  private async decide(
    taskId: string,
    staff: string,
    decision: Decision,
    record: CaseRecord,
  ): Promise<boolean> {
    const body = decision === 'approve' ? { decision } : { decision, reason: `chaos ${decision}` };
    let resent = false;
    const send = () =>
      this.client.call('POST', `/tasks/${taskId}/decision`, {
        as: staff,
        body,
        again: (a) => {
          const again = transient(a) || timedOut(a);
          resent ||= again;
          return again;
        },
      });
    let answer = await send();
    // A decision needs the claim: an unclaimed task is refused, nothing recorded; claim, then decide.
    if (answer.status === 409 && answer.body?.code === 'TASK_NOT_CLAIMED') {
      const claimed = await this.client.call('POST', `/tasks/${taskId}/claim`, { as: staff });
      if (claimed.status !== 200) record.refusals.push(`claim ${taskId}: ${describe(claimed)}`);
      answer = await send();
    }
    if (
      answer.status === 200 ||
      (answer.status === 503 && answer.body?.code === 'DECISION_DELIVERY_PENDING')
    ) {
      record.acknowledged.push(`${decision} ${taskId.replace(/.*-/, '')} ${answer.status}`);
      return true;
    }
    // A resend after an unanswered attempt finds our own decision recorded: that attempt got through.
    if (resent && answer.status === 409 && answer.body?.decided_by === staff) {
      record.acknowledged.push(
        `${decision} ${taskId.replace(/.*-/, '')} (recorded by an unanswered attempt)`,
      );
      return true;
    }
    record.refusals.push(`decision ${taskId}: ${describe(answer)}`);
    record.stalled = `decision ${decision} on ${taskId} not recorded: ${describe(answer)}`;
    return false;
  }

  /**
   * Polls the case (GET /filings/{id}) until `done` holds. Gives up early when a workflow it depends on
   * is gone from Temporal — nothing can move the case then — and at the bound otherwise.
   */
  private async waitFor(
    id: string,
    as: string,
    done: (c: CaseView) => boolean,
    what: string,
    workflows: string[],
  ): Promise<CaseView> {
    // As patient as the stays' resends: under load one restart alone can take over a minute.
    const until = Math.min(this.deadline, Date.now() + 180_000);
    let lastProbe = Date.now();
    let delay = 100;
    for (;;) {
      const answer = await this.client.call('GET', `/filings/${id}`, { as, withinMs: until - Date.now() });
      if (answer.status === 200 && done(answer.body)) return answer.body;
      if (Date.now() > until) {
        throw new Stall(
          `waited in vain for ${what} (last: ${answer.status === 200 ? answer.body.filing.status : describe(answer)})`,
        );
      }
      if (Date.now() - lastProbe > 2_000) {
        lastProbe = Date.now();
        for (const workflowId of workflows) {
          if ((await this.temporal.liveness(workflowId)) === 'gone') {
            throw new Stall(`gave up waiting for ${what}: workflow ${workflowId} is gone from Temporal`);
          }
        }
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(500, delay * 2);
    }
  }
}

class Stall extends Error {}

/**
 * The API's request deadline passed (a worker still starting after a fault): it may have been applied,
 * and the answer says to send again later — safe where a resend is recognised (a decision, a keyed answer).
 */
const timedOut = (a: Answer) => a.status === 503 && a.body?.code === 'REQUEST_TIMEOUT';

export function describe(answer: Answer): string {
  if (answer.status === 0) return `no answer (${answer.body?.error ?? '?'})`;
  return `${answer.status}${answer.body?.code ? ` ${answer.body.code}` : ''}`;
}
