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
  describeErrors,
  type Fen,
  type HospLv,
  type Insutype,
  type MedType,
  type PsnType,
  settle,
} from '../settlement';
import { accumulatorsOf } from './accumulators';
import type { ActivityDeps } from './deps';
import { FailureType } from './errors';
import { payFromInsuredFund } from './ledger';
import { type EventRow, insertEvents, trxOf } from './projection';
import { filingTypeOf } from './settlement';

export type ManualClaimSnapshot = Omit<Snapshot<ManualClaim>, 'created_at'>;

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
      const knex = em.getKnex();
      // The hospital's level picks the policy's band; the person's accumulators of the year, as they stand.
      const [hospital, accumulatorRow] = await Promise.all([
        knex('hospital').where({ fixmedins_code: stay.fixmedins_code }).first('hosp_lv'),
        knex('accumulator')
          .where({ psn_no: stay.psn_no, insuplc_admdvs: stay.insuplc_admdvs, year: Number(on.slice(0, 4)) })
          .first(),
      ]);
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
      const r = settle({
        claim: {
          psn_no: stay.psn_no,
          insutype: stay.insutype as Insutype,
          psn_type: person.psn_type as PsnType,
          med_type: stay.med_type as MedType,
          filing_type: filingTypeOf(stay.coverage),
          cvlserv_flag: false,
          maf_eligible: false,
        },
        lines: fees.map((f) => ({
          feedetl_sn: f.feedetl_sn,
          med_list_codg: f.med_list_codg,
          det_item_fee_sumamt: f.det_item_fee_sumamt as Fen,
          cnt_e4: f.cnt_e4,
        })),
        catalogue,
        policy: { ...policy, personal_account: null },
        accumulators: accumulatorsOf(accumulatorRow),
      });
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
     */
    async payManualClaim(args: {
      claim: ManualClaimSnapshot;
      events: EventRow[];
      insutype: string;
      acc_year: number;
      accumulator_effect: Accumulators;
      /** The paid claim closes its stay (MANUAL_CLAIM → MANUAL_PAID) with this event on its timeline. */
      stay_closed?: EventRow | null;
    }): Promise<void> {
      const c = args.claim;
      if (!(c.fund_pay_sumamt && c.fund_pay_sumamt > 0))
        throw invalid(`manual claim ${c.claim_id} has nothing to pay`);
      await orm.em.fork().transactional(async (tx) => {
        const trx = trxOf(tx);
        await payFromInsuredFund(trx, {
          key: `MC${c.mdtrt_id}`,
          mdtrt_id: c.mdtrt_id,
          insuplc_admdvs: c.insuplc_admdvs,
          insutype: args.insutype,
          amount: c.fund_pay_sumamt as number,
          posted_at: new Date(c.paid_at ?? c.updated_at),
          accumulators: { psn_no: c.psn_no, year: args.acc_year, effect: args.accumulator_effect },
        });
        await upsert(trx, c);
        if (args.stay_closed) {
          // The stay's workflow ended at the conversion: the claim moves its row on, as a projection would.
          await trx('stay')
            .where({ mdtrt_id: c.mdtrt_id, status: 'MANUAL_CLAIM' })
            .update({ status: 'MANUAL_PAID', updated_at: new Date(c.paid_at ?? c.updated_at) });
        }
        await insertEvents(trx, c.mdtrt_id, [
          ...args.events,
          ...(args.stay_closed ? [args.stay_closed] : []),
        ]);
      });
    },
  };
}
