import type { Knex } from '@mikro-orm/knex';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ApplicationFailure } from '@temporalio/common';
import { type CompensationItem, type CompensationView, cstDate } from '../cases';
import { loadCatalogue } from '../db/catalogue';
import { loadCompensationParams, provinceOf } from '../db/compensation';
import {
  Admdvs,
  type Compensation,
  FeeDetail,
  InsuredPerson,
  PolicyVersion,
  Settlement,
  Stay,
} from '../db/entities';
import { setlDetailOf, setlinfoOf } from '../db/settlements';
import {
  ACCUMULATOR_FIELDS,
  type Accumulators,
  accumulatorEffect,
  type CappedFund,
  type CappedPayment,
  type Catalogue,
  type CompensationInput,
  type CompensationStep,
  type Settlement as CoreSettlement,
  classify,
  compensationPayment,
  computeCompensation,
  describeErrors,
  type FeeLine,
  type Fen,
  type FilingType,
  fen,
  type Insutype,
  type MedType,
  type PsnType,
  type SetlDetail,
  validatePolicy,
  ZERO_ACCUMULATORS,
} from '../settlement';
import { lockAccumulators } from './accumulators';
import type { ActivityDeps } from './deps';
import { FailureType } from './errors';
import { payFromInsuredFund } from './ledger';
import { type EventRow, insertEvents, trxOf, upsertWithEvents } from './projection';

/** What the comparison found, for the workflow to decide on (NOT_ELIGIBLE or a review task). */
export interface CompensationAssessment {
  prov_admdvs: string;
  psn_no: string;
  psn_name: string;
  mdtrt_id: string;
  fixmedins_name: string;
  insutype: string;
  dscg_date: string;
  medfee_sumamt: number;
  direct_fund_pay: number;
  recomputed_fund_pay: number;
  /** recomputed − direct (negative when the direct settlement paid more). */
  difference: number;
  /** What would be paid: zero unless it qualifies. */
  gap: number;
  qualifies: boolean;
  /** Why it does not qualify, in plain Chinese for the citizen; null when it does. */
  not_eligible_reason: string | null;
  steps: CompensationView['steps'];
  items: CompensationItem[];
  catalogue_admvs: string | null;
  policy: { policy_id: string; version: number; name: string } | null;
  sla: { review_working_days: number; supervisor_working_days: number };
  /**
   * The settlement's accumulator year and what paying the gap moves in it: the manual claim replaces
   * the direct settlement, so the recomputed settlement's effect minus the direct one's. The gap is paid
   * in cash, so the personal account is not touched again (acct_balc 0).
   */
  acc_year: number;
  accumulator_effect: Accumulators;
}

/** The compensation row as the workflow projects it. */
export type CompensationSnapshot = Omit<
  Compensation,
  'created_at' | 'updated_at' | 'paid_at' | 'acc_year' | 'accumulator_effect' | 'paid_amount'
> & {
  updated_at: string;
  paid_at: string | null;
};

/** The 待遇补差 payment's ledger entries are keyed like a settlement's: `BC` + the settlement's id. */
export function compensationLedgerKey(setl_id: string): string {
  const key = `BC${setl_id}`;
  if (key.length > 40) throw invalid(`setl_id ${setl_id} is too long for a ledger key`);
  return key;
}

function invalid(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: FailureType.InvalidData, message, nonRetryable: true });
}

/** The direct settlement as the core knows it, from its recorded row (the amounts it paid, not a rerun). */
function directSettlement(row: Settlement, setldetail: SetlDetail[]): CoreSettlement {
  return {
    psn_no: row.psn_no,
    insutype: row.insutype as Insutype,
    psn_type: row.psn_type as PsnType,
    filing_type: row.filing_type as FilingType,
    policy_id: row.policy_id,
    policy_version: row.policy_version,
    setlinfo: setlinfoOf(row),
    setldetail,
    accumulators_before: row.accumulators_before as unknown as Accumulators,
    accumulators_after: row.accumulators_after as unknown as Accumulators,
  };
}

/** What paying the gap moves: the recomputed settlement's effect on the year in place of the direct one's. */
function gapEffect(recomputed: CoreSettlement, direct: CoreSettlement): Accumulators {
  const r = accumulatorEffect(recomputed);
  const d = accumulatorEffect(direct);
  return Object.fromEntries(
    ACCUMULATOR_FIELDS.map((k) => [k, k === 'acct_balc' ? 0 : r[k] - d[k]]),
  ) as unknown as Accumulators;
}

/** Each fee line classified by the insured place's catalogue, against its classification at the treatment place. */
function compareLines(
  fees: FeeDetail[],
  lines: readonly FeeLine[],
  insured: Catalogue,
  names: ReadonlyMap<string, string>,
): CompensationItem[] {
  return fees.map((f, i) => {
    const home = classify([lines[i] as FeeLine], insured);
    if (!home.ok) throw invalid(`fee line ${f.feedetl_sn}: ${describeErrors(home.errors)}`);
    return {
      feedetl_sn: f.feedetl_sn,
      med_list_codg: f.med_list_codg,
      list_name: f.list_name ?? names.get(f.med_list_codg) ?? null,
      det_item_fee_sumamt: f.det_item_fee_sumamt,
      direct: { chrgitm_lv: f.chrgitm_lv, inscp_scp_amt: f.inscp_scp_amt },
      insured_place: {
        chrgitm_lv: insured.entries.get(f.med_list_codg)?.chrgitm_lv ?? '03',
        inscp_scp_amt: home.value.inscp_scp_amt,
      },
    };
  });
}

function yuan(fenAmount: number): string {
  const sign = fenAmount < 0 ? '-' : '';
  const a = Math.abs(fenAmount);
  return `${sign}${Math.floor(a / 100).toLocaleString('en-US')}.${String(a % 100).padStart(2, '0')}`;
}

/** Each step of the comparison in plain Chinese (the core's own rule text is for developers). */
function stepRule(
  step: CompensationStep['step'],
  f: {
    place: string;
    policy: string;
    recomputed_inscp: number;
    direct_inscp: number;
    recomputed: number;
    direct: number;
    threshold: number;
    enabled: boolean;
    dscg_date: string;
    appy_date: string;
    deadline_days: number;
  },
): string {
  switch (step) {
    case 'recompute':
      return `按${f.place}目录和${f.policy}重算：符合医保范围 ${yuan(f.recomputed_inscp)} 元（直接结算时 ${yuan(f.direct_inscp)} 元）`;
    case 'gap':
      return `重算应由基金支付 ${yuan(f.recomputed)} 元 − 直接结算已支付 ${yuan(f.direct)} 元`;
    case 'enabled':
      return f.enabled ? '参保地开展待遇补差' : '参保地未开展待遇补差';
    case 'threshold':
      return `差额须超过 ${yuan(f.threshold)} 元`;
    case 'deadline': {
      const days = (Date.parse(f.appy_date) - Date.parse(f.dscg_date)) / 86_400_000;
      return `出院（${f.dscg_date}）后第 ${days} 天申请，期限 ${f.deadline_days} 天`;
    }
  }
}

/** The funds a cap limits, as the citizen reads them. */
const CAPPED_FUND_NAMES: Record<CappedFund, string> = {
  hifp_paid_ytd: '统筹基金',
  si_paid_ytd: '大病保险（大额医疗）',
  cvlserv_paid_ytd: '公务员医疗补助',
  oth_paid_ytd: '其他基金',
  maf_paid_ytd: '医疗救助',
};

/** Which caps limited a payment, of which policy, what they left, and what the approved amount asked of each. */
export function capReasons(cap: CappedPayment, policy: string, asked: string): string {
  return cap.limits
    .map(
      (l) =>
        `${CAPPED_FUND_NAMES[l.fund]}年度最高支付限额 ${yuan(l.annual_cap)} 元（${policy}），本年已支付 ${yuan(l.paid_ytd)} 元，尚余 ${yuan(l.left)} 元，${asked}该项 ${yuan(l.assessed)} 元`,
    )
    .join('；');
}

/** The capped funds' names, as in "受本年度统筹基金最高支付限额所限". */
export function cappedFundNames(cap: CappedPayment): string {
  return cap.limits.map((l) => CAPPED_FUND_NAMES[l.fund]).join('、');
}

/** The payment's own step of the explanation, when a cap limited it: which cap, of which policy, what it left. */
function capStep(gap: number, cap: CappedPayment, policy: string): CompensationView['steps'][number] {
  const why = capReasons(cap, policy, '核定补差中');
  return {
    step: 'payment_cap',
    rule: `支付时按年度最高支付限额和本年累计重算（限额所限部分按政策由下一层基金支付）：${why}；核定补差 ${yuan(gap)} 元，实付`,
    amount: cap.paid,
    passed: cap.paid > 0,
  };
}

/** The first failed condition, as the citizen reads it. */
function notEligibleReason(steps: CompensationView['steps'], deadline_days: number): string {
  const failed = steps.find((s) => !s.passed);
  switch (failed?.step) {
    case 'gap':
      return '按参保地目录和政策重算，直接结算已报销的不少于手工报销应报销的金额，比较后无需补差';
    case 'enabled':
      return '参保地未开展待遇补差，比较后无需补差';
    case 'threshold':
      return `差额未超过参保地规定的起付金额 ${yuan(failed.amount ?? 0)} 元，比较后无需补差`;
    case 'deadline':
      return `已超过出院后 ${deadline_days} 天的申请期限，比较后无需补差`;
    default:
      return '比较后无需补差';
  }
}

/**
 * The workflow's paid event, written with what the caps let the payment pay (known only under the
 * accumulator lock): the amount paid and why it is less than the gap, or — nothing left — the
 * exhausted cap instead of a payment.
 */
function paidEvents(
  events: EventRow[],
  gap: number,
  cap: CappedPayment,
  step: CompensationView['steps'][number],
): EventRow[] {
  const funds = cappedFundNames(cap);
  return events.map((e) => {
    if (e.kind !== 'compensation_paid') return e;
    const detail = { ...e.detail, gap, paid: cap.paid, cap_rule: step.rule };
    return cap.paid === 0
      ? {
          ...e,
          kind: 'compensation_cap_exhausted',
          detail: {
            ...detail,
            text: `核定补差 ${yuan(gap)} 元，受本年度${funds}最高支付限额所限已无可支付余额（本年其他结算或报销已用），本次未支付`,
          },
        }
      : {
          ...e,
          detail: {
            ...detail,
            text: `核定补差 ${yuan(gap)} 元，受本年度${funds}最高支付限额所限，实付待遇补差 ${yuan(cap.paid)} 元`,
          },
        };
  });
}

export async function policyOf(em: EntityManager, policy_id: string, version: number) {
  const row = await em.findOne(PolicyVersion, { policy_id, version });
  if (!row) throw invalid(`policy ${policy_id} v${version} of the settlement is not stored`);
  const checked = validatePolicy(row.params);
  if (!checked.ok) throw invalid(`stored policy ${policy_id} v${version}: ${describeErrors(checked.errors)}`);
  return checked.value;
}

/** The comparison's input: the stay's live lines under the insured catalogue and the settlement's policy. */
async function comparisonInput(
  em: EntityManager,
  o: {
    settlement: Settlement;
    stay: Stay;
    fees: FeeDetail[];
    loaded: NonNullable<Awaited<ReturnType<typeof loadCompensationParams>>>;
    dscg_date: string;
    appy_date: string;
  },
): Promise<{ input: CompensationInput; names: ReadonlyMap<string, string>; direct: CoreSettlement }> {
  const { settlement, stay, fees, loaded, dscg_date, appy_date } = o;
  const [{ catalogue, names }, policy] = await Promise.all([
    loadCatalogue(
      em,
      loaded.catalogue_admvs,
      dscg_date,
      fees.map((f) => f.med_list_codg),
    ),
    policyOf(em, settlement.policy_id, settlement.policy_version),
  ]);
  const lines: FeeLine[] = fees.map((f) => ({
    feedetl_sn: f.feedetl_sn,
    med_list_codg: f.med_list_codg,
    det_item_fee_sumamt: fen(f.det_item_fee_sumamt),
    cnt_e4: f.cnt_e4,
  }));
  const direct = directSettlement(settlement, await setlDetailOf(em.getKnex(), settlement.setl_id));
  const input: CompensationInput = {
    direct,
    lines,
    claim: {
      psn_no: settlement.psn_no,
      insutype: settlement.insutype as Insutype,
      psn_type: settlement.psn_type as PsnType,
      med_type: stay.med_type as MedType,
      filing_type: settlement.filing_type as FilingType,
      // The direct settlement paid these subsidies only to those entitled: the manual claim follows it.
      cvlserv_flag: settlement.cvlserv_pay > 0,
      maf_eligible: settlement.maf_pay > 0,
    },
    insured_catalogue: catalogue,
    insured_policy: policy,
    dscg_date,
    appy_date,
    params: loaded.params,
  };
  return { input, names, direct };
}

/** The comparison's input again, for the payment (the settlement row as read under the lock). */
async function paymentInput(em: EntityManager, settlement: Settlement, at: Date) {
  const [stay, fees, loaded] = await Promise.all([
    em.findOne(Stay, { mdtrt_id: settlement.mdtrt_id }),
    em.find(FeeDetail, { mdtrt_id: settlement.mdtrt_id, status: 'ACTIVE' }, { orderBy: { id: 'asc' } }),
    loadCompensationParams(em, provinceOf(settlement.insuplc_admdvs)),
  ]);
  if (!stay) throw invalid(`no stay ${settlement.mdtrt_id}`);
  if (!loaded) throw invalid(`待遇补差 of ${settlement.setl_id}: the province's parameters are gone`);
  const dscg_date = cstDate((stay.endtime ?? settlement.setl_time).getTime());
  return comparisonInput(em, { settlement, stay, fees, loaded, dscg_date, appy_date: cstDate(at.getTime()) });
}

/** The compensation row's upsert (`paid_at` only with the payment), unless it holds a newer projection. */
function upsertCompensation(knex: Knex | Knex.Transaction, c: CompensationSnapshot, paid: boolean) {
  const { compensation_id, ...rest } = {
    ...c,
    steps: JSON.stringify(c.steps),
    items: JSON.stringify(c.items),
    decision: c.decision === null ? null : JSON.stringify(c.decision),
    updated_at: new Date(c.updated_at),
    paid_at: c.paid_at ? new Date(c.paid_at) : null,
  };
  const columns = Object.keys(rest).filter((k) => paid || k !== 'paid_at');
  return knex('compensation')
    .insert({ compensation_id, ...rest, created_at: rest.updated_at })
    .onConflict('compensation_id')
    .merge(columns)
    .where('compensation.projection_seq', '<', c.projection_seq);
}

/** 待遇补差: the comparison, the projection, and the payment in the ledger. */
export function compensationActivities({ orm }: ActivityDeps) {
  const activities = {
    /**
     * Recomputes a settled stay as a manual claim under the insured place's catalogue and the policy
     * version the direct settlement used, and compares (the core's computeCompensation). Reads only.
     */
    async assessCompensation({
      setl_id,
      appy_date,
    }: {
      setl_id: string;
      appy_date: string;
    }): Promise<CompensationAssessment> {
      const em = orm.em.fork();
      const settlement = await em.findOne(Settlement, { setl_id, kind: 'SETTLEMENT' });
      if (!settlement) throw invalid(`no settlement ${setl_id}`);
      const [stay, person, fees] = await Promise.all([
        em.findOne(Stay, { mdtrt_id: settlement.mdtrt_id }),
        em.findOne(InsuredPerson, { psn_no: settlement.psn_no }),
        em.find(FeeDetail, { mdtrt_id: settlement.mdtrt_id, status: 'ACTIVE' }, { orderBy: { id: 'asc' } }),
      ]);
      if (!stay) throw invalid(`no stay ${settlement.mdtrt_id}`);
      const prov_admdvs = provinceOf(settlement.insuplc_admdvs);
      const dscg_date = cstDate((stay.endtime ?? settlement.setl_time).getTime());
      const loaded = await loadCompensationParams(em, prov_admdvs);
      const base = {
        prov_admdvs,
        psn_no: settlement.psn_no,
        psn_name: person?.psn_name ?? stay.psn_name,
        mdtrt_id: settlement.mdtrt_id,
        fixmedins_name: stay.fixmedins_name,
        insutype: settlement.insutype,
        dscg_date,
        medfee_sumamt: settlement.medfee_sumamt,
        direct_fund_pay: settlement.fund_pay_sumamt,
      };
      if (!loaded || settlement.reversed_by) {
        const reason = settlement.reversed_by
          ? '该笔结算已撤销，比较后无需补差'
          : '参保地未开展待遇补差，比较后无需补差';
        return {
          ...base,
          recomputed_fund_pay: settlement.fund_pay_sumamt,
          difference: 0,
          gap: 0,
          qualifies: false,
          not_eligible_reason: reason,
          steps: [{ step: 'enabled', rule: reason, amount: null, passed: false }],
          items: [],
          catalogue_admvs: null,
          policy: null,
          sla: { review_working_days: 0, supervisor_working_days: 0 },
          acc_year: settlement.acc_year,
          accumulator_effect: ZERO_ACCUMULATORS,
        };
      }
      const { input, names, direct } = await comparisonInput(em, {
        settlement,
        stay,
        fees,
        loaded,
        dscg_date,
        appy_date,
      });
      const { insured_catalogue: catalogue, insured_policy: policy, lines } = input;
      const result = computeCompensation(input);
      if (!result.ok) throw invalid(`待遇补差 of ${setl_id}: ${describeErrors(result.errors)}`);
      const c = result.value;
      const place = (await em.findOne(Admdvs, { admdvs: loaded.catalogue_admvs }))?.admdvs_name;
      const steps = c.steps.map((s) => ({
        step: s.step,
        rule: stepRule(s.step, {
          place: place ?? loaded.catalogue_admvs,
          policy: `${policy.name} 第${policy.version}版`,
          recomputed_inscp: c.recomputed.setlinfo.inscp_scp_amt,
          direct_inscp: settlement.inscp_scp_amt,
          recomputed: c.recomputed_fund_pay,
          direct: c.direct_fund_pay,
          threshold: loaded.params.threshold,
          enabled: loaded.params.enabled,
          dscg_date,
          appy_date,
          deadline_days: loaded.params.deadline_days,
        }),
        amount: s.amount,
        passed: s.passed,
      }));
      return {
        ...base,
        recomputed_fund_pay: c.recomputed_fund_pay,
        difference: c.difference,
        gap: c.gap,
        qualifies: c.qualifies,
        not_eligible_reason: c.qualifies ? null : notEligibleReason(steps, loaded.params.deadline_days),
        steps,
        items: compareLines(fees, lines, catalogue, names),
        catalogue_admvs: loaded.catalogue_admvs,
        policy: { policy_id: policy.policy_id, version: policy.version, name: policy.name },
        sla: {
          review_working_days: loaded.review_sla_working_days,
          supervisor_working_days: loaded.supervisor_sla_working_days,
        },
        acc_year: settlement.acc_year,
        accumulator_effect: gapEffect(c.recomputed, direct),
      };
    },

    /** The compensation row and its new timeline events (on the stay's timeline), together or not at all. */
    async projectCompensation(args: {
      compensation: CompensationSnapshot;
      events: EventRow[];
    }): Promise<void> {
      const knex = orm.em.getKnex();
      await upsertWithEvents(
        knex,
        upsertCompensation(knex, args.compensation, false),
        args.compensation.mdtrt_id,
        args.events,
      );
    },

    /**
     * The approved gap paid: the insured place's fund owes the person the gap (a balanced entry set keyed
     * by the compensation, so a retried or redelivered payment finds its rows), written in one transaction
     * with the PAID row, its events and the person's accumulators of the year moved by what the gap adds
     * (`payFromInsuredFund`, as a manual claim: moved only by the call that wrote the pair). A comparison
     * assessed before the assessment carried its accumulator effect has it computed again here. The
     * effect is stored on the row, for a reversal of the settlement to take back. A settlement reversed
     * before the payment (found under the accumulator lock a reversal takes too) is not paid:
     * `withdrawn`, nothing written.
     *
     * The gap was assessed from the accumulators the direct settlement started from; under the lock the
     * caps are checked against the row as it stands (another stay of the person may have settled since):
     * each fund pays at most what its annual cap leaves (`capCompensationPayment`), the row records the
     * amount paid beside the approved gap and a `payment_cap` step saying which cap, and the workflow's
     * paid event is written with the amount actually paid. Nothing left → CAP_EXHAUSTED, no pair.
     */
    async payCompensation(args: {
      compensation: CompensationSnapshot;
      events: EventRow[];
      insutype: string;
      acc_year?: number;
      accumulator_effect?: Accumulators;
    }): Promise<{
      ledger_key: string;
      entries: number;
      withdrawn?: boolean;
      /** What was paid (fen): the gap, or what the caps left of it. */
      paid?: number;
      /** The payment's step of the explanation when a cap limited it. */
      cap_step?: CompensationView['steps'][number] | null;
    }> {
      const c = args.compensation;
      if (!(c.gap > 0)) throw invalid(`compensation ${c.compensation_id} has no gap to pay`);
      const key = compensationLedgerKey(c.setl_id);
      const posted_at = new Date(c.paid_at ?? c.updated_at);
      const { acc_year, accumulator_effect } =
        args.acc_year !== undefined && args.accumulator_effect
          ? { acc_year: args.acc_year, accumulator_effect: args.accumulator_effect }
          : await activities.assessCompensation({
              setl_id: c.setl_id,
              appy_date: cstDate(posted_at.getTime()),
            });
      return orm.em.fork().transactional(async (tx) => {
        const trx = trxOf(tx);
        // The accumulator row first (a reversal's lock order), then whether the settlement still stands:
        // a reversal committed since the approval leaves nothing to pay (the workflow closes WITHDRAWN).
        const current = await lockAccumulators(trx, c.psn_no, c.insuplc_admdvs, acc_year);
        const s = await trx('settlement').where({ setl_id: c.setl_id }).first();
        const paidBefore: { debit: string | number }[] = await trx('ledger_entry')
          .where({ setl_id: key, seq: 1 })
          .select('debit');
        const row = await trx('compensation').where({ compensation_id: c.compensation_id }).first();
        const found = ((row?.steps ?? []) as CompensationView['steps']).find((x) => x.step === 'payment_cap');
        // A retry of a payment that committed: the caps are now moved by it, so what it paid is read back.
        if (paidBefore[0]) {
          return { ledger_key: key, entries: 2, paid: Number(paidBefore[0].debit), cap_step: found ?? null };
        }
        if (row?.status === 'CAP_EXHAUSTED')
          return { ledger_key: key, entries: 0, paid: 0, cap_step: found ?? null };
        if (s?.reversed_by) return { ledger_key: key, entries: 0, withdrawn: true };
        if (!s) throw invalid(`no settlement ${c.setl_id}`);
        // Against the caps as they stand: the approved gap, or what a recomputation from the accumulators
        // now pays (the comparison's own input: the policy the direct settlement used, the insured catalogue).
        const settled = await tx.findOne(Settlement, { setl_id: c.setl_id, kind: 'SETTLEMENT' });
        if (!settled) throw invalid(`no settlement ${c.setl_id}`);
        const { input } = await paymentInput(tx, settled, posted_at);
        const policy = input.insured_policy;
        const computed = compensationPayment(input, c.gap as Fen, accumulator_effect, current);
        if (!computed.ok) throw invalid(`待遇补差 ${c.compensation_id}: ${describeErrors(computed.errors)}`);
        const cap = computed.value;
        const cap_step =
          cap.limits.length > 0 ? capStep(c.gap, cap, `${policy.name} 第${policy.version}版`) : null;
        const events = cap_step ? paidEvents(args.events, c.gap, cap, cap_step) : args.events;
        if (cap.paid === 0) {
          await upsertCompensation(
            trx,
            {
              ...c,
              status: 'CAP_EXHAUSTED',
              paid_at: null,
              steps: [...c.steps, cap_step as CompensationStep],
            },
            false,
          );
          await trx('compensation').where({ compensation_id: c.compensation_id }).update({ paid_amount: 0 });
          await insertEvents(trx, c.mdtrt_id, events);
          return { ledger_key: key, entries: 0, paid: 0, cap_step };
        }
        const wrote = await payFromInsuredFund(trx, {
          key,
          mdtrt_id: c.mdtrt_id,
          insuplc_admdvs: c.insuplc_admdvs,
          insutype: args.insutype,
          amount: cap.paid,
          posted_at,
          accumulators: { psn_no: c.psn_no, year: acc_year, effect: cap.effect },
        });
        // The pair was not there under the lock: not writing it now means the rows below would lie.
        if (!wrote) throw new Error(`待遇补差 ${c.compensation_id}: its ledger pair appeared under the lock`);
        await upsertCompensation(trx, cap_step ? { ...c, steps: [...c.steps, cap_step] } : c, true);
        // What was paid and what it moved, for a reversal of the settlement to take back with the gap.
        await trx('compensation')
          .where({ compensation_id: c.compensation_id })
          .update({ paid_amount: cap.paid, acc_year, accumulator_effect: JSON.stringify(cap.effect) });
        await insertEvents(trx, c.mdtrt_id, events);
        return { ledger_key: key, entries: 2, paid: cap.paid, cap_step };
      });
    },
  };
  return activities;
}
