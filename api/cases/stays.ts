import type { FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Router } from 'express';
import { type FeeLineView, LABELS, type SettlementView, type StaySummary, type StayView } from '../../cases';
import { CaseEvent, FeeDetail, Stay } from '../../db/entities';
import { readSettlement } from '../../db/settlements';
import type { Ratio } from '../../settlement';
import { stayCompensation } from '../compensation';
import { type CaseDeps, currentUser } from '../context';
import { StayQuery } from '../schemas';
import { present, stayScope, visibleStay } from '../scope';

export function staySummary(s: Stay): StaySummary {
  return {
    mdtrt_id: s.mdtrt_id,
    status: s.status,
    psn_no: s.psn_no,
    psn_name: s.psn_name,
    fixmedins_code: s.fixmedins_code,
    fixmedins_name: s.fixmedins_name,
    insuplc_admdvs: s.insuplc_admdvs,
    mdtrtarea_admvs: s.mdtrtarea_admvs,
    begntime: s.begntime.toISOString(),
    endtime: s.endtime ? s.endtime.toISOString() : null,
    medfee_sumamt: s.medfee_sumamt,
    fund_pay_sumamt: s.fund_pay_sumamt ?? null,
  };
}

function feeLineView(f: FeeDetail): FeeLineView {
  return {
    feedetl_sn: f.feedetl_sn,
    med_list_codg: f.med_list_codg,
    det_item_fee_sumamt: f.det_item_fee_sumamt,
    cnt_e4: f.cnt_e4,
    pric_e4: f.pric_e4,
    chrgitm_lv: f.chrgitm_lv,
    selfpay_prop: f.selfpay_prop as Ratio,
    pric_uplmt_amt: f.pric_uplmt_amt,
    fulamt_ownpay_amt: f.fulamt_ownpay_amt,
    overlmt_amt: f.overlmt_amt,
    preselfpay_amt: f.preselfpay_amt,
    inscp_scp_amt: f.inscp_scp_amt,
    explanation: f.explanation,
    medins_list_codg: f.medins_list_codg,
    medins_list_name: f.medins_list_name ?? null,
    fee_ocur_time: f.fee_ocur_time.toISOString(),
    list_name: f.list_name ?? null,
    status: f.status,
  };
}

/** A stay as its detail page shows it: fees with their classification, settlements with setldetail, timeline. */
export async function stayView(em: EntityManager, stay: Stay): Promise<StayView> {
  const knex = em.getKnex();
  const [fees, rows, events] = await Promise.all([
    em.find(FeeDetail, { mdtrt_id: stay.mdtrt_id }, { orderBy: { feedetl_sn: 'asc' } }),
    knex('settlement').where({ mdtrt_id: stay.mdtrt_id, kind: 'SETTLEMENT' }).orderBy('setl_time'),
    em.find(CaseEvent, { case_id: stay.mdtrt_id }, { orderBy: { at: 'asc', id: 'asc' } }),
  ]);
  const settlements: SettlementView[] = await Promise.all(
    rows.map(async (row: Record<string, unknown>) => ({
      ...(await readSettlement(knex, row)),
      setl_id: row.setl_id as string,
      status: row.reversed_by ? ('REVERSED' as const) : ('SETTLED' as const),
      reversed_by: (row.reversed_by as string | null) ?? null,
    })),
  );
  return {
    ...staySummary(stay),
    ipt_no: stay.ipt_no,
    insutype: stay.insutype,
    med_type: stay.med_type,
    coverage: stay.coverage,
    diagnoses: stay.diagnoses,
    fees: fees.map(feeLineView),
    settlements,
    compensation: await stayCompensation(em, stay),
    timeline: events.map((e) => ({
      at: e.at.toISOString(),
      event: e.kind,
      text: typeof e.detail.text === 'string' ? e.detail.text : (LABELS.event[e.kind] ?? e.kind),
      actor: e.actor,
    })),
  };
}

/** 住院: the stays a user may see (`stayScope`), and one stay's detail. */
export function staysRouter(deps: CaseDeps): Router {
  const router = Router();
  router.get('/stays', async (req, res) => {
    const q = StayQuery.parse(req.query);
    const user = currentUser(res);
    const where: FilterQuery<Stay> = { $and: [stayScope(user)] };
    if (q.status) where.status = q.status;
    const [items, total] = await deps.orm.em.fork().findAndCount(Stay, where, {
      orderBy: { begntime: 'desc', mdtrt_id: 'desc' },
      limit: q.page_size,
      offset: (q.page - 1) * q.page_size,
    });
    res.json(present({ items: items.map(staySummary), total, page: q.page, page_size: q.page_size }, user));
  });
  router.get('/stays/:mdtrt_id', async (req, res) => {
    const user = currentUser(res);
    const em = deps.orm.em.fork();
    const stay = await visibleStay(em, user, req.params.mdtrt_id as string);
    res.json(present(await stayView(em, stay), user));
  });
  return router;
}
