import { createHash } from 'node:crypto';
import type { Knex } from '@mikro-orm/knex';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Client } from '@temporalio/client';
import { ledgerInsert, ledgerLines, setlDetailInsert } from '../../activities/settlement';
import { type CompensationStart, compensationWorkflowId, cstDate } from '../../cases';
import { loadCatalogue } from '../../db/catalogue';
import { HAINAN_CASE_CODES } from '../../db/catalogue-data';
import { FeeDetail, Settlement, Stay } from '../../db/entities';
import type { Orm } from '../../db/orm';
import { loadPolicy } from '../../db/policies';
import {
  type Catalogue,
  classify,
  describeErrors,
  type FeeLine,
  type Fen,
  settle,
  ZERO_ACCUMULATORS,
} from '../../settlement';
import { compensationWorkflow } from '../../workflows';

/** A fee line of a test stay: [national code, unit price in fen, quantity]. */
export type TestLine = readonly [med_list_codg: string, pric_fen: number, cnt: number];

let serial = 0;

function classifyOne(line: FeeLine, catalogue: Catalogue) {
  const t = classify([line], catalogue);
  if (!t.ok) throw new Error(describeErrors(t.errors));
  return t.value;
}

/**
 * A settled stay as the stay helper's settlement activity records it (stay, fee_detail, settlement),
 * computed by the settlement core with the treatment place's catalogue and the insured place's policy
 * from the database — so the comparison runs on real rows without driving a hospital through 2401–2304.
 */
export async function settledStay(
  orm: Orm,
  o: {
    psn_no: string;
    psn_name: string;
    insuplc_admdvs: string;
    insutype: '310' | '390';
    mdtrtarea_admvs: string;
    fixmedins_code: string;
    fixmedins_name: string;
    lines: readonly TestLine[];
    /** Discharge instant; admission is five days earlier. */
    endtime: Date;
    /** The ids to use (a comparison started before its settlement was recorded). */
    ids?: { mdtrt_id: string; setl_id: string };
    /** Also its setldetail and ledger rows, as 2304 writes them (a reversal reads them). */
    recorded?: boolean;
  },
): Promise<{ mdtrt_id: string; setl_id: string; fund_pay_sumamt: number; medfee_sumamt: number }> {
  serial += 1;
  const tag = `${process.pid % 10000}${String(serial).padStart(3, '0')}${Date.now() % 100000}`;
  const mdtrt_id = o.ids?.mdtrt_id ?? `${o.mdtrtarea_admvs}T${tag}`;
  const setl_id = o.ids?.setl_id ?? `S${tag}`;
  const em: EntityManager = orm.em.fork();
  const on = cstDate(o.endtime.getTime());
  const { catalogue, names } = await loadCatalogue(em, o.mdtrtarea_admvs, on);
  const policy = await loadPolicy(em, {
    admvs: o.insuplc_admdvs,
    insutype: o.insutype,
    hosp_lv: '3',
    med_type: '21',
    psn_type: 'in_service',
    on,
  });
  const lines: FeeLine[] = o.lines.map(([code, pric, cnt], i) => ({
    feedetl_sn: String(i + 1).padStart(4, '0'),
    med_list_codg: code,
    det_item_fee_sumamt: (pric * cnt) as Fen,
    cnt_e4: cnt * 10_000,
  }));
  const claim = {
    psn_no: o.psn_no,
    insutype: o.insutype,
    psn_type: 'in_service',
    med_type: '21',
    filing_type: 'referral',
    cvlserv_flag: false,
    maf_eligible: false,
  } as const;
  const r = settle({ claim, lines, catalogue, policy, accumulators: ZERO_ACCUMULATORS });
  if (!r.ok) throw new Error(describeErrors(r.errors));
  const s = r.value;
  const begntime = new Date(o.endtime.getTime() - 5 * 86_400_000);
  const now = new Date();
  await em.transactional(async (tx) => {
    tx.create(Stay, {
      mdtrt_id,
      psn_no: o.psn_no,
      psn_name: o.psn_name,
      insuplc_admdvs: o.insuplc_admdvs,
      prov_admdvs: `${o.insuplc_admdvs.slice(0, 2)}0000`,
      mdtrtarea_admvs: o.mdtrtarea_admvs,
      fixmedins_code: o.fixmedins_code,
      fixmedins_name: o.fixmedins_name,
      ipt_no: `ZY${tag}`,
      insutype: o.insutype,
      med_type: '21',
      begntime,
      endtime: o.endtime,
      status: 'SETTLED',
      coverage: { kind: 'filing', filing_id: `filing-${o.psn_no}-t${tag}`, category: 'referral' },
      diagnoses: [],
      medfee_sumamt: s.setlinfo.medfee_sumamt,
      fee_count: lines.length,
      setl_id,
      fund_pay_sumamt: s.setlinfo.fund_pay_sumamt,
      created_at: now,
      updated_at: now,
      projection_seq: 1,
    });
    lines.forEach((l, i) => {
      const t = classifyOne(l, catalogue);
      const entry = catalogue.entries.get(l.med_list_codg);
      const [, pric] = o.lines[i] as TestLine;
      tx.create(FeeDetail, {
        mdtrt_id,
        feedetl_sn: l.feedetl_sn,
        rx_drord_no: null,
        med_list_codg: l.med_list_codg,
        medins_list_codg: l.med_list_codg,
        medins_list_name: names.get(l.med_list_codg) ?? null,
        fee_ocur_time: begntime,
        cnt_e4: l.cnt_e4,
        pric_e4: pric * 100,
        det_item_fee_sumamt: l.det_item_fee_sumamt,
        bilg_dept_codg: null,
        bilg_dr_codg: null,
        content_hash: createHash('sha256').update(JSON.stringify(l)).digest('hex'),
        chrgitm_lv: entry?.chrgitm_lv ?? '03',
        selfpay_prop: entry?.selfpay_prop ?? 0,
        pric_uplmt_amt: entry?.pric_uplmt_amt ?? 0,
        fulamt_ownpay_amt: t.fulamt_ownpay_amt,
        overlmt_amt: t.overlmt_selfpay,
        preselfpay_amt: t.preselfpay_amt,
        inscp_scp_amt: t.inscp_scp_amt,
        list_name: names.get(l.med_list_codg) ?? null,
        explanation: 'test fixture',
        status: 'ACTIVE',
        created_at: now,
        cancelled_at: null,
      });
    });
    tx.create(Settlement, {
      setl_id,
      request_key: `test-${setl_id}`,
      mdtrt_id,
      psn_no: o.psn_no,
      insuplc_admdvs: o.insuplc_admdvs,
      mdtrtarea_admvs: o.mdtrtarea_admvs,
      fixmedins_code: o.fixmedins_code,
      kind: 'SETTLEMENT',
      reverses: null,
      reversed_by: null,
      insutype: o.insutype,
      psn_type: 'in_service',
      filing_type: 'referral',
      ...s.setlinfo,
      policy_id: policy.policy_id,
      policy_version: policy.version,
      policy_name: policy.name,
      policy_source: policy.source,
      clr_optins: o.insuplc_admdvs,
      clr_way: '1',
      clr_type: '21',
      acc_year: Number(on.slice(0, 4)),
      accumulators_before: { ...s.accumulators_before },
      accumulators_after: { ...s.accumulators_after },
      setl_time: o.endtime,
      created_at: now,
    });
    if (!o.recorded) return;
    await tx.flush();
    const trx = tx.getTransactionContext<Knex.Transaction>() as Knex.Transaction;
    // As 2304 writes them (the activity's own inserts).
    await setlDetailInsert(trx, setl_id, s.setldetail, 1);
    await ledgerInsert(trx, setl_id, mdtrt_id, ledgerLines(s.setlinfo, s.setldetail, o), 1, o.endtime);
  });
  return {
    mdtrt_id,
    setl_id,
    fund_pay_sumamt: s.setlinfo.fund_pay_sumamt,
    medfee_sumamt: s.setlinfo.medfee_sumamt,
  };
}

/**
 * A 海南 person's settled stay at 华西 with a gap (two targeted drugs 丙 in 成都, 乙 in 海南), her year's
 * accumulators as that settlement left them (each call its own year row, taken over from the last), and
 * its comparison started (`detected`) on `worker`.
 */
export async function settledWithGap(
  orm: Orm,
  worker: { client: Client; taskQueue: string },
  person: { psn_no: string; psn_name: string },
) {
  const { psn_no } = person;
  const s = await settledStay(orm, {
    ...person,
    insuplc_admdvs: '460000',
    insutype: '390',
    mdtrtarea_admvs: '510100',
    fixmedins_code: 'H51010000001',
    fixmedins_name: '四川大学华西医院',
    lines: [
      ['003310000010000', 380_000, 1],
      [HAINAN_CASE_CODES.trastuzumab, 520_000, 2],
      [HAINAN_CASE_CODES.pertuzumab, 498_000, 1],
    ],
    endtime: new Date(Date.now() - 86_400_000),
    recorded: true,
  });
  const direct = await orm.em.fork().findOneOrFail(Settlement, { setl_id: s.setl_id });
  const key = { psn_no, insuplc_admdvs: '460000', year: direct.acc_year };
  const knex = orm.em.getKnex();
  await knex('accumulator').where(key).delete();
  await knex('accumulator').insert({
    ...key,
    ...direct.accumulators_after,
    version: 1,
    updated_at: new Date(),
  });
  const input: CompensationStart = {
    setl_id: s.setl_id,
    mdtrt_id: s.mdtrt_id,
    psn_no,
    insuplc_admdvs: '460000',
    origin: 'detected',
    applied_by: null,
    at: new Date().toISOString(),
  };
  const handle = await worker.client.workflow.start(compensationWorkflow, {
    workflowId: compensationWorkflowId(s.setl_id),
    taskQueue: worker.taskQueue,
    args: [input],
  });
  return { ...s, handle, direct, key };
}
