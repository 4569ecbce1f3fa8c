import type { Knex } from '@mikro-orm/knex';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ApplicationFailure } from '@temporalio/common';
import {
  cstDate,
  type ReversalResult,
  type SettlementResult,
  STAY_REFUSALS,
  type StayCoverage,
} from '../cases';
import { loadCatalogue } from '../db/catalogue';
import type { LedgerAccount } from '../db/entities';
import { loadPolicy, PolicyRejectedError } from '../db/policies';
import { readSettlement, setlDetailOf, setlinfoOf } from '../db/settlements';
import {
  type Accumulators,
  type ClaimContext,
  describeErrors,
  type FeeLine,
  type Fen,
  type FilingType,
  FUND_PAY_TYPE,
  formatYuan,
  type HospLv,
  type Insutype,
  type MedType,
  type Policy,
  type PsnType,
  reverse,
  SETLINFO_FIELDS,
  type SetlDetail,
  type Setlinfo,
  type SettleInput,
  type Settlement,
  settle,
} from '../settlement';
import { accumulatorsOf, accumulatorsUpdate, lockAccumulators } from './accumulators';
import { compensationActivities } from './compensation';
import type { ActivityDeps } from './deps';
import { FailureType } from './errors';
import { recoverCompensation } from './ledger';
import { asOneStatement, trxOf } from './projection';
import { refused, type StayRefusal } from './stay';

/** What the settlement activities need of a stay: the workflow hands it over, the rest is read here. */
export interface StayForSettlement {
  mdtrt_id: string;
  psn_no: string;
  insuplc_admdvs: string;
  mdtrtarea_admvs: string;
  fixmedins_code: string;
  insutype: string;
  med_type: string;
  begntime: string;
  /** The discharge time, or now for a pre-settlement before discharge: it picks the policy version. */
  endtime: string;
  coverage: StayCoverage;
  /** 2303/2304 `acct_used_flag`: the person lets the personal account pay (where the policy allows it). */
  acct_used: boolean;
}

/** 清算 fields of a stay settled directly: cleared by the insured place, per item, as inpatient. [U] codes */
const CLEARING = { clr_way: '1', clr_type: '21' } as const;

export function filingTypeOf(c: StayCoverage): FilingType {
  if (c.kind === 'emergency') return 'emergency';
  if (c.kind === 'pending_retro') return 'none';
  switch (c.category) {
    case 'referral':
      return 'referral';
    case 'emergency':
      return 'emergency';
    case 'other_temporary':
      return 'temporary_other';
    default:
      return 'long_term';
  }
}

/** The accumulator year of a stay: its discharge date's CST year. */
export const yearOf = (iso: string) => Number(cstDate(Date.parse(iso)).slice(0, 4));

interface Computed {
  settlement: Settlement;
  policy: { policy_id: string; version: number; name: string; source: string };
}

/**
 * Data the settlement cannot get past by retrying (the core refusing the stay, a ledger that would not
 * balance): non-retryable, so the hospital hears at once and the case shows it instead of looping.
 */
function invalidData(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: FailureType.InvalidData, message, nonRetryable: true });
}

/** A stored fee line (numeric columns as the driver or the entity reads them). */
interface StoredFeeLine {
  feedetl_sn: string;
  med_list_codg: string;
  det_item_fee_sumamt: string | number;
  cnt_e4: string | number;
}

/**
 * The core's claim and fee lines of a stay: what a direct settlement (`prepare`) and a 手工报销 at the
 * insured place compute on, from the same stay, person type and live lines.
 */
export function claimOf(
  stay: Pick<StayForSettlement, 'psn_no' | 'insutype' | 'med_type' | 'coverage'>,
  psn_type: string,
  lines: readonly StoredFeeLine[],
): { claim: ClaimContext; lines: FeeLine[] } {
  return {
    claim: {
      psn_no: stay.psn_no,
      insutype: stay.insutype as Insutype,
      psn_type: psn_type as PsnType,
      med_type: stay.med_type as MedType,
      filing_type: filingTypeOf(stay.coverage),
      cvlserv_flag: false,
      maf_eligible: false,
    },
    lines: lines.map((l) => ({
      feedetl_sn: l.feedetl_sn,
      med_list_codg: l.med_list_codg,
      det_item_fee_sumamt: Number(l.det_item_fee_sumamt) as Fen,
      cnt_e4: Number(l.cnt_e4),
    })),
  };
}

/** What a settlement computes on, read before its transaction: none of it changes while the stay is settled. */
type Prepared = Omit<SettleInput, 'accumulators'> & { policyRef: Computed['policy'] };

/** The live fee lines, the treatment place's catalogue (admission date) and the insured place's policy (discharge date). */
async function prepare(em: EntityManager, stay: StayForSettlement): Promise<Prepared | StayRefusal> {
  const lines: {
    feedetl_sn: string;
    med_list_codg: string;
    det_item_fee_sumamt: string;
    cnt_e4: string;
    pric_e4: string;
    pric_uplmt_amt: string;
    overlmt_amt: string;
  }[] = await em
    .getKnex()('fee_detail')
    .where({ mdtrt_id: stay.mdtrt_id, status: 'ACTIVE' })
    .orderBy('feedetl_sn')
    .select(
      'feedetl_sn',
      'med_list_codg',
      'det_item_fee_sumamt',
      'cnt_e4',
      'pric_e4',
      'pric_uplmt_amt',
      'overlmt_amt',
    );
  if (lines.length === 0) return refused(STAY_REFUSALS.NO_FEES, '该就诊尚无费用明细，请先上传费用（2301）');
  const [person, { catalogue, over_limit }] = await Promise.all([
    // The person's type and the hospital's level: one read. The person as the insured place has them.
    em
      .getKnex()('insured_person as p')
      .leftJoin('hospital as h', (j) => j.onVal('h.fixmedins_code', stay.fixmedins_code))
      .where({ 'p.psn_no': stay.psn_no, 'p.insuplc_admdvs': stay.insuplc_admdvs })
      .first('p.psn_type', 'h.hosp_lv') as Promise<{ psn_type: string; hosp_lv: string | null } | undefined>,
    loadCatalogue(
      em,
      stay.mdtrtarea_admvs,
      cstDate(Date.parse(stay.begntime)),
      lines.map((l) => l.med_list_codg),
    ),
  ]);
  if (!person)
    return refused(
      STAY_REFUSALS.PERSON_RECORD_MISSING,
      `参保地（${stay.insuplc_admdvs}）查无参保人 ${stay.psn_no}，暂不能结算；已请参保地核实人员信息，核实后将自动重新结算，医院无需重复发送`,
    );
  // The treatment place's rule: a line above its 限价 is refused instead of settled as 超限价自费.
  const over = over_limit === 'refuse' ? lines.find((l) => Number(l.overlmt_amt) > 0) : undefined;
  if (over)
    return refused(
      STAY_REFUSALS.PRICE_OVER_LIMIT,
      `费用明细 ${over.feedetl_sn}（${over.med_list_codg}）单价 ${priceText(Number(over.pric_e4))} 元超过就医地限价 ${formatYuan(Number(over.pric_uplmt_amt) as Fen)} 元，就医地规定超限价不予结算：请核对价格，撤销该明细（2302）按限价重新上传（2301）后再结算`,
      { feedetl_sn: over.feedetl_sn, med_list_codg: over.med_list_codg },
    );
  const on = cstDate(Date.parse(stay.endtime));
  let policy: Policy;
  try {
    policy = await loadPolicy(em, {
      admvs: stay.insuplc_admdvs,
      insutype: stay.insutype as Insutype,
      hosp_lv: (person.hosp_lv ?? '3') as HospLv,
      med_type: stay.med_type as MedType,
      psn_type: person.psn_type as PsnType,
      on,
    });
  } catch (error) {
    if (!(error instanceof PolicyRejectedError)) throw error;
    return refused(
      STAY_REFUSALS.NO_POLICY,
      `参保地（${stay.insuplc_admdvs}）没有 ${on} 适用的住院待遇政策，暂不能结算，请联系参保地经办机构`,
      { reason: error.message },
    );
  }
  return {
    ...claimOf(stay, person.psn_type, lines),
    catalogue,
    // Without the person's consent (acct_used_flag 0) the account pays nothing: as a policy without one.
    policy: stay.acct_used ? policy : { ...policy, personal_account: null },
    policyRef: {
      policy_id: policy.policy_id,
      version: policy.version,
      name: policy.name,
      source: policy.source,
    },
  };
}

/** A unit price in ten-thousandths of a yuan as the HIS sent it ("123.4560"), in integers. */
const priceText = (e4: number) => `${Math.floor(e4 / 10_000)}.${String(e4 % 10_000).padStart(4, '0')}`;

/**
 * 重复结算: the person's live settlement (not reversed) of another stay whose times overlap this one,
 * read under the person's accumulator lock, so two stays settling at once see each other. Stays that
 * only touch (one discharged in the second the other is admitted: a transfer, or the next stay at the
 * counter) do not overlap.
 */
async function overlappingSettlement(
  trx: Knex.Transaction,
  stay: StayForSettlement,
): Promise<{ setl_id: string; mdtrt_id: string; fixmedins_name: string } | undefined> {
  return trx('settlement as s')
    .join('stay as t', 't.mdtrt_id', 's.mdtrt_id')
    .where({ 's.psn_no': stay.psn_no, 's.kind': 'SETTLEMENT' })
    .whereNull('s.reversed_by')
    .whereNot('s.mdtrt_id', stay.mdtrt_id)
    .where('t.begntime', '<', new Date(stay.endtime))
    .andWhere((q) => q.whereNull('t.endtime').orWhere('t.endtime', '>', new Date(stay.begntime)))
    .first('s.setl_id', 's.mdtrt_id', 't.fixmedins_name');
}

/** The settlement core on the prepared inputs and the person's accumulators. */
function compute(p: Prepared, accumulators: Accumulators): Computed | StayRefusal {
  const result = settle({ ...p, accumulators });
  if (!result.ok) {
    const unmapped = result.errors.find((e) => e.code === 'not_in_catalogue');
    if (unmapped) {
      return refused(
        STAY_REFUSALS.CATALOGUE_CODE_UNMAPPED,
        `费用明细含就医地目录未收录的编码：${unmapped.message}`,
      );
    }
    throw invalidData(`settlement core refused the stay: ${describeErrors(result.errors)}`);
  }
  return { settlement: result.value, policy: p.policyRef };
}

function resultOf(
  setl_id: string | null,
  stay: Pick<StayForSettlement, 'mdtrt_id' | 'psn_no' | 'insuplc_admdvs'>,
  setl_time: string,
  c: Computed,
): SettlementResult {
  return {
    setl_id,
    mdtrt_id: stay.mdtrt_id,
    psn_no: stay.psn_no,
    setl_time,
    insutype: c.settlement.insutype,
    psn_type: c.settlement.psn_type,
    setlinfo: c.settlement.setlinfo,
    setldetail: [...c.settlement.setldetail],
    policy: c.policy,
    clr_optins: stay.insuplc_admdvs,
    ...CLEARING,
  };
}

interface LedgerLine {
  account: LedgerAccount;
  fund_pay_type: string | null;
  admdvs: string;
  amount: number;
}

/**
 * The settlement's double entry: the treatment place is owed the stay's total (debit); the insured
 * place's funds, the personal account and the person's cash owe it (credits). They balance because
 * medfee_sumamt = fund_pay_sumamt + acct_pay + psn_cash_pay; checked, never assumed.
 */
export function ledgerLines(
  s: Setlinfo,
  setldetail: readonly Pick<SetlDetail, 'step' | 'fund_pay_type' | 'fund_payamt'>[],
  places: { mdtrtarea_admvs: string; insuplc_admdvs: string },
): LedgerLine[] {
  const lines: LedgerLine[] = [
    {
      account: 'treatment_place_receivable',
      fund_pay_type: null,
      admdvs: places.mdtrtarea_admvs,
      amount: s.medfee_sumamt,
    },
  ];
  let funds = 0;
  for (const d of setldetail) {
    if (d.step === 'acct' || d.fund_pay_type === null || d.fund_payamt === 0) continue;
    funds += d.fund_payamt;
    lines.push({
      account: 'insured_fund_payable',
      fund_pay_type: d.fund_pay_type,
      admdvs: places.insuplc_admdvs,
      amount: -d.fund_payamt,
    });
  }
  if (funds !== s.fund_pay_sumamt) {
    throw invalidData(`setldetail funds ${funds} differ from fund_pay_sumamt ${s.fund_pay_sumamt}`);
  }
  if (s.acct_pay !== 0)
    lines.push({
      account: 'personal_account',
      fund_pay_type: FUND_PAY_TYPE.personal_account,
      admdvs: places.insuplc_admdvs,
      amount: -s.acct_pay,
    });
  if (s.psn_cash_pay !== 0)
    lines.push({
      account: 'personal_cash',
      fund_pay_type: null,
      admdvs: places.insuplc_admdvs,
      amount: -s.psn_cash_pay,
    });
  const sum = lines.reduce((a, l) => a + l.amount, 0);
  if (sum !== 0) throw invalidData(`ledger of the settlement does not balance: ${sum} fen`);
  return lines;
}

export function ledgerInsert(
  trx: Knex.Transaction,
  setl_id: string,
  mdtrt_id: string,
  lines: LedgerLine[],
  sign: 1 | -1,
  at: Date,
) {
  return trx('ledger_entry').insert(
    lines.map((l, i) => {
      const amount = l.amount * sign;
      return {
        setl_id,
        seq: i + 1,
        mdtrt_id,
        account: l.account,
        fund_pay_type: l.fund_pay_type,
        admdvs: l.admdvs,
        debit: amount > 0 ? amount : 0,
        credit: amount < 0 ? -amount : 0,
        posted_at: at,
      };
    }),
  );
}

export function setlDetailInsert(
  trx: Knex.Transaction,
  setl_id: string,
  steps: readonly SetlDetail[],
  sign: 1 | -1,
) {
  return trx('setl_detail').insert(
    steps.map((d, i) => ({
      setl_id,
      seq: i + 1,
      step: d.step,
      fund_pay_type: d.fund_pay_type,
      rule: d.rule,
      amount: d.amount * sign,
      inscp_scp_amt: d.inscp_scp_amt * sign,
      crt_payb_lmt_amt: d.crt_payb_lmt_amt,
      fund_payamt: d.fund_payamt * sign,
      setl_proc_info: d.setl_proc_info,
    })),
  );
}

/** 2303, 2304 and 2305: computed by the settlement core, recorded exactly once. */
export function settlementActivities({ orm }: ActivityDeps) {
  return {
    /** 2303 预结算: the same computation as 2304 on the current accumulators, nothing written. */
    async presettle(args: {
      stay: StayForSettlement;
      setl_time: string;
    }): Promise<SettlementResult | StayRefusal> {
      const em = orm.em.fork();
      const prepared = await prepare(em, args.stay);
      if ('refused' in prepared) return prepared;
      const acc = accumulatorsOf(
        await em
          .getKnex()('accumulator')
          .where({
            psn_no: args.stay.psn_no,
            insuplc_admdvs: args.stay.insuplc_admdvs,
            year: yearOf(args.stay.endtime),
          })
          .first(),
      );
      const c = compute(prepared, acc);
      return 'refused' in c ? c : resultOf(null, args.stay, args.setl_time, c);
    },

    /**
     * 2304: settlement, setldetail, ledger and accumulators in one transaction, exactly once. The
     * person's accumulator row is locked first; the settlement row is inserted ON CONFLICT DO NOTHING on
     * `request_key` (from the settlement workflow): a retry after a commit inserts nothing and answers
     * the row it wrote the first time.
     */
    async recordSettlement(args: {
      request_key: string;
      setl_id: string;
      stay: StayForSettlement;
      setl_time: string;
    }): Promise<SettlementResult | StayRefusal> {
      const { stay } = args;
      const year = yearOf(stay.endtime);
      const em = orm.em.fork();
      const prepared = await prepare(em, stay);
      if ('refused' in prepared) return prepared;
      return em.transactional(async (tx) => {
        const trx = trxOf(tx);
        const acc = await lockAccumulators(trx, stay.psn_no, stay.insuplc_admdvs, year);
        const done = await trx('settlement').where({ request_key: args.request_key }).first();
        if (done) return readSettlement(trx, done);
        const dup = await overlappingSettlement(trx, stay);
        if (dup)
          return refused(
            STAY_REFUSALS.DUPLICATE_SETTLEMENT,
            `该参保人同期已在 ${dup.fixmedins_name} 结算（就诊ID ${dup.mdtrt_id}，结算ID ${dup.setl_id}），住院日期与本次重叠，疑似重复结算：请核对入出院日期；如确属重复，请撤销其中一次结算（2305）`,
            { setl_id: dup.setl_id, mdtrt_id: dup.mdtrt_id },
          );
        const c = compute(prepared, acc);
        if ('refused' in c) return c;
        const s = c.settlement;
        const at = new Date(args.setl_time);
        const inserted = await trx('settlement')
          .insert({
            setl_id: args.setl_id,
            request_key: args.request_key,
            mdtrt_id: stay.mdtrt_id,
            psn_no: stay.psn_no,
            insuplc_admdvs: stay.insuplc_admdvs,
            mdtrtarea_admvs: stay.mdtrtarea_admvs,
            fixmedins_code: stay.fixmedins_code,
            kind: 'SETTLEMENT',
            reverses: null,
            reversed_by: null,
            insutype: s.insutype,
            psn_type: s.psn_type,
            filing_type: s.filing_type,
            ...s.setlinfo,
            policy_id: c.policy.policy_id,
            policy_version: c.policy.version,
            policy_name: c.policy.name,
            policy_source: c.policy.source,
            clr_optins: stay.insuplc_admdvs,
            ...CLEARING,
            acc_year: year,
            accumulators_before: JSON.stringify(s.accumulators_before),
            accumulators_after: JSON.stringify(s.accumulators_after),
            setl_time: at,
            created_at: new Date(),
          })
          .onConflict()
          .ignore()
          .returning('setl_id');
        if (inserted.length === 0) {
          const stored = await trx('settlement').where({ request_key: args.request_key }).first();
          // The same setl_id seen twice under another request: a duplicate, never a second record.
          if (!stored)
            return refused(
              STAY_REFUSALS.DUPLICATE_SETTLEMENT,
              `结算ID ${args.setl_id} 已用于另一笔结算，疑似重复结算，本次未结算`,
              { setl_id: args.setl_id },
            );
          return readSettlement(trx, stored);
        }
        // Its lines, its ledger entries and the accumulators: one statement.
        await asOneStatement(
          trx,
          [
            ...(s.setldetail.length > 0 ? [setlDetailInsert(trx, args.setl_id, s.setldetail, 1)] : []),
            ledgerInsert(
              trx,
              args.setl_id,
              stay.mdtrt_id,
              ledgerLines(s.setlinfo, s.setldetail, stay),
              1,
              at,
            ),
          ],
          accumulatorsUpdate(trx, stay.psn_no, stay.insuplc_admdvs, year, s.accumulators_after),
        );
        return resultOf(args.setl_id, stay, args.setl_time, c);
      });
    },

    /**
     * 2305: the reversing settlement (amounts negated), its ledger entries with the sides swapped and
     * the accumulators given back (the core's `reverse`), in one transaction, exactly once.
     */
    async recordReversal(args: {
      request_key: string;
      setl_id: string;
      original_setl_id: string;
      setl_time: string;
    }): Promise<ReversalResult | StayRefusal> {
      return orm.em.fork().transactional(async (tx) => {
        const trx = trxOf(tx);
        const peek = await trx('settlement')
          .where({ setl_id: args.original_setl_id, kind: 'SETTLEMENT' })
          .first();
        if (!peek)
          return refused(STAY_REFUSALS.SETTLEMENT_NOT_FOUND, `未找到结算ID ${args.original_setl_id}`);
        // Same lock order as a settlement (accumulators, then rows), so the two cannot deadlock.
        const current = await lockAccumulators(trx, peek.psn_no, peek.insuplc_admdvs, peek.acc_year);
        const original = await trx('settlement')
          .where({ setl_id: args.original_setl_id })
          .forUpdate()
          .first();
        const answer = (row: Record<string, unknown>): ReversalResult => ({
          setl_id: row.setl_id as string,
          original_setl_id: args.original_setl_id,
          mdtrt_id: row.mdtrt_id as string,
          setl_time: new Date(row.setl_time as string).toISOString(),
          setlinfo: setlinfoOf(row),
        });
        const done = await trx('settlement').where({ request_key: args.request_key }).first();
        if (done) return answer(done);
        if (original.reversed_by) {
          return refused(
            STAY_REFUSALS.ALREADY_REVERSED,
            `该结算已撤销（撤销结算ID ${original.reversed_by}），不能重复撤销`,
            {
              reversed_by: original.reversed_by,
            },
          );
        }
        const setlinfo = setlinfoOf(original);
        const setldetail = await setlDetailOf(trx, original.setl_id);
        const back = reverse(
          {
            psn_no: original.psn_no,
            insutype: original.insutype,
            psn_type: original.psn_type,
            filing_type: original.filing_type,
            policy_id: original.policy_id,
            policy_version: original.policy_version,
            setlinfo,
            setldetail,
            accumulators_before: original.accumulators_before,
            accumulators_after: original.accumulators_after,
          },
          current,
        );
        // The person's accumulators hold less than the settlement added: nothing can be given back
        // without hiding the inconsistency, so the reversal is refused and a ticket raised.
        if (!back.ok)
          return refused(
            STAY_REFUSALS.REVERSAL_FAILED,
            `结算 ${original.setl_id} 暂不能撤销：参保人本年度累计数据与该结算不一致，原结算保持有效；已发起问题协同，由就医地与参保地核对累计数据`,
            { setl_id: original.setl_id, reason: describeErrors(back.errors) },
          );
        const negated = Object.fromEntries(
          SETLINFO_FIELDS.map((k) => [
            k,
            k === 'balc' ? back.value.accumulators_after.acct_balc : -setlinfo[k],
          ]),
        ) as unknown as Setlinfo;
        const at = new Date(args.setl_time);
        const inserted = await trx('settlement')
          .insert({
            ...Object.fromEntries(
              Object.entries(original).filter(([k]) => !SETLINFO_FIELDS.includes(k as never)),
            ),
            ...negated,
            setl_id: args.setl_id,
            request_key: args.request_key,
            kind: 'REVERSAL',
            reverses: original.setl_id,
            reversed_by: null,
            accumulators_before: JSON.stringify(current),
            accumulators_after: JSON.stringify(back.value.accumulators_after),
            setl_time: at,
            created_at: new Date(),
          })
          .onConflict()
          .ignore()
          .returning('setl_id');
        if (inserted.length === 0) {
          const stored = await trx('settlement').where({ request_key: args.request_key }).first();
          if (stored) return answer(stored);
          return refused(STAY_REFUSALS.ALREADY_REVERSED, '该结算已撤销，不能重复撤销');
        }
        await asOneStatement(
          trx,
          [
            ...(setldetail.length > 0 ? [setlDetailInsert(trx, args.setl_id, setldetail, -1)] : []),
            ledgerInsert(
              trx,
              args.setl_id,
              original.mdtrt_id,
              ledgerLines(setlinfo, setldetail, original),
              -1,
              at,
            ),
            trx('settlement').where({ setl_id: original.setl_id }).update({ reversed_by: args.setl_id }),
          ],
          accumulatorsUpdate(
            trx,
            original.psn_no,
            original.insuplc_admdvs,
            original.acc_year,
            back.value.accumulators_after,
          ),
        );
        // A paid 待遇补差 of this settlement goes back with it, in this transaction.
        await recoverCompensation(trx, {
          setl_id: original.setl_id,
          reversed_by: args.setl_id,
          psn_no: original.psn_no,
          insuplc_admdvs: original.insuplc_admdvs,
          at,
          effectOf: (setl_id) =>
            compensationActivities({ orm }).assessCompensation({ setl_id, appy_date: cstDate(at.getTime()) }),
        });
        return answer({ ...original, ...negated, setl_id: args.setl_id, setl_time: at.toISOString() });
      });
    },
  };
}
