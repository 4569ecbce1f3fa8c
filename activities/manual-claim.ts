import type { EntityManager } from '@mikro-orm/postgresql';
import { ApplicationFailure } from '@temporalio/common';
import { cstDate } from '../cases';
import { loadCatalogue } from '../db/catalogue';
import { loadCompensationParams, provinceOf } from '../db/compensation';
import { FeeDetail, InsuredPerson, ManualClaim, type Snapshot, Stay } from '../db/entities';
import { loadPolicy } from '../db/policies';
import { snapshotValues } from '../db/rows';
import {
  type Accumulators,
  accumulatorEffect,
  type CappedPayment,
  capCompensationPayment,
  describeErrors,
  type Fen,
  formatYuan,
  type HospLv,
  type Insutype,
  type MedType,
  type Policy,
  type PsnType,
  type SettleInput,
  settle,
} from '../settlement';
import { accumulatorsOf, lockAccumulators } from './accumulators';
import { cappedFundNames, capReasons, policyOf } from './compensation';
import type { ActivityDeps } from './deps';
import { FailureType } from './errors';
import { payFromInsuredFund } from './ledger';
import { type EventRow, insertEvents, trxOf } from './projection';
import { claimOf } from './settlement';

export type ManualClaimSnapshot = Omit<Snapshot<ManualClaim>, 'created_at' | 'paid_amount'>;

export interface ManualClaimComputed {
  prov_admdvs: string;
  psn_name: string;
  fixmedins_name: string;
  insutype: string;
  medfee_sumamt: number;
  fund_pay_sumamt: number;
  psn_part_amt: number;
  catalogue_admvs: string;
  policy: { policy_id: string; version: number; name: string };
  /** The accumulator year (the discharge date's) and what this claim adds to it once it is paid. */
  acc_year: number;
  accumulator_effect: Accumulators;
}

const invalid = (message: string) =>
  ApplicationFailure.create({ type: FailureType.InvalidData, message, nonRetryable: true });

/** 1,234.56 元, as the cap reasons beside it are written. */
/**
 * What the approved claim pays against the accumulators as they stand: as approved when no cap cuts it;
 * otherwise the claim computed again from them (the policy it was approved under), so what a cap cuts
 * from 统筹 falls to 大病 and the deductible already met by another stay is not charged again — at most
 * the approved amount, moving the accumulators by exactly the recomputation's effect. A recomputation
 * above the approved amount: the per-fund clamp alone (within every cap either way).
 */
async function payable(
  em: EntityManager,
  mdtrt_id: string,
  approved: Fen,
  effect: Accumulators,
  current: Accumulators,
  policy: Policy,
): Promise<CappedPayment> {
  const clamp = capCompensationPayment(approved, effect, current, policy);
  if (clamp.limits.length === 0) return clamp;
  const { input } = await claimInput(em, mdtrt_id);
  const r = settle({ ...input, policy: { ...policy, personal_account: null }, accumulators: current });
  if (!r.ok) throw invalid(`手工报销 of ${mdtrt_id}: ${describeErrors(r.errors)}`);
  const due = r.value.setlinfo.fund_pay_sumamt;
  if (due > approved) return clamp;
  return { paid: due, effect: accumulatorEffect(r.value), limits: clamp.limits };
}

const yuanText = (fen: number) => `${formatYuan(fen as Fen).replace(/\B(?=(\d{3})+(?!\d))/g, ',')} 元`;

/**
 * The workflow's paid and stay-closed events, written with what the caps let the payment pay (known
 * only under the accumulator lock): the amount paid and which cap cut it, or — nothing left — the
 * exhausted cap instead of a payment.
 */
function cappedEvents(events: EventRow[], approved: number, cap: CappedPayment, why: string): EventRow[] {
  const funds = cappedFundNames(cap);
  return events.map((e) => {
    const detail = { ...e.detail, approved, paid: cap.paid, cap_rule: why };
    if (e.kind === 'manual_claim_paid') {
      return cap.paid === 0
        ? {
            ...e,
            kind: 'manual_claim_cap_exhausted',
            detail: {
              ...detail,
              text: `参保地经办机构审核通过手工报销，核定基金支付 ${yuanText(approved)}，受本年度${funds}最高支付限额所限已无可支付余额（本年其他结算或报销已用），本次未支付：${why}`,
            },
          }
        : {
            ...e,
            detail: {
              ...detail,
              text: `参保地经办机构审核通过手工报销，核定基金支付 ${yuanText(approved)}，受本年度${funds}最高支付限额所限，实付 ${yuanText(cap.paid)} 已支付给参保人：${why}`,
            },
          };
    }
    if (e.kind === 'stay_closed') {
      const text =
        cap.paid === 0
          ? '本次住院已办结：手工报销核定的基金支付因年度最高支付限额已用完未支付'
          : `本次住院已办结：手工报销已支付，基金支付 ${yuanText(cap.paid)}（受年度最高支付限额所限）`;
      return { ...e, detail: { ...detail, text } };
    }
    return e;
  });
}

/**
 * The stay's live fee lines under the insured place's catalogue (the one 待遇补差 recomputes with) and
 * its policy on the discharge date, as a manual claim at home: the core's input but the accumulators.
 */
async function claimInput(em: EntityManager, mdtrt_id: string) {
  const [stay, fees] = await Promise.all([
    em.findOne(Stay, { mdtrt_id }),
    em.find(FeeDetail, { mdtrt_id, status: 'ACTIVE' }, { orderBy: { feedetl_sn: 'asc' } }),
  ]);
  if (!stay) throw invalid(`no stay ${mdtrt_id}`);
  const person = await em.findOne(InsuredPerson, { psn_no: stay.psn_no });
  if (!person) throw invalid(`no insured person of stay ${mdtrt_id}`);
  const prov_admdvs = provinceOf(stay.insuplc_admdvs);
  const catalogue_admvs =
    (await loadCompensationParams(em, prov_admdvs))?.catalogue_admvs ?? stay.insuplc_admdvs;
  const on = cstDate((stay.endtime ?? stay.updated_at).getTime());
  // The hospital's level picks the policy's band.
  const hospital = await em
    .getKnex()('hospital')
    .where({ fixmedins_code: stay.fixmedins_code })
    .first('hosp_lv');
  const [{ catalogue }, policy] = await Promise.all([
    loadCatalogue(
      em,
      catalogue_admvs,
      on,
      fees.map((f) => f.med_list_codg),
    ),
    loadPolicy(em, {
      admvs: stay.insuplc_admdvs,
      insutype: stay.insutype as Insutype,
      hosp_lv: (hospital?.hosp_lv ?? '3') as HospLv,
      med_type: stay.med_type as MedType,
      psn_type: person.psn_type as PsnType,
      on,
    }),
  ]);
  const input: Omit<SettleInput, 'accumulators'> = {
    ...claimOf(stay, person.psn_type, fees),
    catalogue,
    // A manual claim is paid in cash: the personal account is not drawn on.
    policy: { ...policy, personal_account: null },
  };
  return { stay, prov_admdvs, catalogue_admvs, on, input, policy };
}

/** 手工报销 at the insured place: computed by the settlement core at home, projected, paid once. */
export function manualClaimActivities({ orm }: ActivityDeps) {
  const meta = orm.getMetadata().get(ManualClaim.meta.className);
  const upsert = (trx: Parameters<typeof insertEvents>[0], c: ManualClaimSnapshot) => {
    const { claim_id, ...rest } = snapshotValues(meta, c);
    return trx('manual_claim')
      .insert({ claim_id, ...rest, created_at: new Date(c.updated_at) })
      .onConflict('claim_id')
      .merge(Object.keys(rest))
      .where('manual_claim.projection_seq', '<', c.projection_seq);
  };
  return {
    /**
     * The stay's live fee lines under the insured place's catalogue (the one 待遇补差 recomputes with)
     * and its policy on the discharge date, as a manual claim at home. Reads only.
     */
    async computeManualClaim({ mdtrt_id }: { mdtrt_id: string }): Promise<ManualClaimComputed> {
      const em = orm.em.fork();
      const { stay, prov_admdvs, catalogue_admvs, on, input, policy } = await claimInput(em, mdtrt_id);
      // The person's accumulators of the year, as they stand.
      const accumulatorRow = await em
        .getKnex()('accumulator')
        .where({ psn_no: stay.psn_no, insuplc_admdvs: stay.insuplc_admdvs, year: Number(on.slice(0, 4)) })
        .first();
      const r = settle({ ...input, accumulators: accumulatorsOf(accumulatorRow) });
      if (!r.ok) throw invalid(`手工报销 of ${mdtrt_id}: ${describeErrors(r.errors)}`);
      const s = r.value.setlinfo;
      return {
        prov_admdvs,
        psn_name: stay.psn_name,
        fixmedins_name: stay.fixmedins_name,
        insutype: stay.insutype,
        medfee_sumamt: s.medfee_sumamt,
        fund_pay_sumamt: s.fund_pay_sumamt,
        psn_part_amt: s.psn_part_amt,
        catalogue_admvs,
        policy: { policy_id: policy.policy_id, version: policy.version, name: policy.name },
        acc_year: Number(on.slice(0, 4)),
        accumulator_effect: accumulatorEffect(r.value),
      };
    },

    async projectManualClaim(args: { claim: ManualClaimSnapshot; events: EventRow[] }): Promise<void> {
      await orm.em.fork().transactional(async (tx) => {
        const trx = trxOf(tx);
        await upsert(trx, args.claim);
        await insertEvents(trx, args.claim.mdtrt_id, args.events);
      });
    },

    /**
     * Approved: the fund's share paid to the person once (`MC` + mdtrt_id), the person's accumulators
     * of the year moved by what the claim adds, and the PAID row, in one transaction. The accumulator
     * row is locked first (the lock order of a settlement), so a settlement of another stay of the
     * person in between is not lost; a retry finds the ledger pair written and moves nothing again.
     * The claim was computed from the accumulators at conversion; a stay settled since may have used
     * the annual caps, so under the lock each fund pays at most what its cap leaves now
     * (`capCompensationPayment`), `paid_amount` records it and the events say which cap cut it;
     * nothing left → CAP_EXHAUSTED, no pair.
     */
    async payManualClaim(args: {
      claim: ManualClaimSnapshot;
      events: EventRow[];
      insutype: string;
      acc_year: number;
      accumulator_effect: Accumulators;
      /** The paid claim closes its stay (MANUAL_CLAIM → MANUAL_PAID) with this event on its timeline. */
      stay_closed?: EventRow | null;
    }): Promise<{ paid: number }> {
      const c = args.claim;
      const approved = c.fund_pay_sumamt;
      if (!(approved && approved > 0)) throw invalid(`manual claim ${c.claim_id} has nothing to pay`);
      if (!c.policy_id || !c.policy_version) throw invalid(`manual claim ${c.claim_id} names no policy`);
      const { policy_id, policy_version } = c;
      const key = `MC${c.mdtrt_id}`;
      return orm.em.fork().transactional(async (tx) => {
        const trx = trxOf(tx);
        const current = await lockAccumulators(trx, c.psn_no, c.insuplc_admdvs, args.acc_year);
        // A retry of a payment that committed: the caps are now moved by it, so what it paid is read back.
        const paidBefore = await trx('ledger_entry').where({ setl_id: key, seq: 1 }).first('debit');
        if (paidBefore) return { paid: Number(paidBefore.debit) };
        const row = await trx('manual_claim').where({ claim_id: c.claim_id }).first('status');
        if (row?.status === 'CAP_EXHAUSTED') return { paid: 0 };
        const policy = await policyOf(tx, policy_id, policy_version);
        const cap = await payable(tx, c.mdtrt_id, approved as Fen, args.accumulator_effect, current, policy);
        const events =
          cap.limits.length > 0
            ? cappedEvents(
                [...args.events, ...(args.stay_closed ? [args.stay_closed] : [])],
                approved,
                cap,
                capReasons(cap, `${policy.name} 第${policy.version}版`, '核定基金支付中'),
              )
            : [...args.events, ...(args.stay_closed ? [args.stay_closed] : [])];
        if (cap.paid > 0) {
          const wrote = await payFromInsuredFund(trx, {
            key,
            mdtrt_id: c.mdtrt_id,
            insuplc_admdvs: c.insuplc_admdvs,
            insutype: args.insutype,
            amount: cap.paid,
            posted_at: new Date(c.paid_at ?? c.updated_at),
            accumulators: { psn_no: c.psn_no, year: args.acc_year, effect: cap.effect },
          });
          if (!wrote) throw new Error(`手工报销 ${c.claim_id}: its ledger pair appeared under the lock`);
        }
        await upsert(trx, cap.paid > 0 ? c : { ...c, status: 'CAP_EXHAUSTED', paid_at: null });
        await trx('manual_claim').where({ claim_id: c.claim_id }).update({ paid_amount: cap.paid });
        if (args.stay_closed) {
          // The stay's workflow ended at the conversion: the claim moves its row on, as a projection would.
          await trx('stay')
            .where({ mdtrt_id: c.mdtrt_id, status: 'MANUAL_CLAIM' })
            .update({ status: 'MANUAL_PAID', updated_at: new Date(c.paid_at ?? c.updated_at) });
        }
        await insertEvents(trx, c.mdtrt_id, events);
        return { paid: cap.paid };
      });
    },
  };
}
