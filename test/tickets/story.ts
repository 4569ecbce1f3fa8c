import { WorkflowUpdateFailedError } from '@temporalio/client';
import {
  type Admission,
  admissionUpdate,
  cstDate,
  dischargeUpdate,
  type FilingInput,
  newMdtrtId,
  settleUpdate,
  stayWorkflowId,
  transactionUpdateId,
  uploadFeesUpdate,
} from '../../cases';
import { Filing, Ticket } from '../../db/entities';
import type { Orm } from '../../db/orm';
import { filingWorkflow, hospitalizationWorkflow } from '../../workflows';
import { eventually } from '../support/eventually';
import type { CaseWorker } from '../support/platform';

/**
 * The seed article's story on a province pair without 四川: 张伟, insured in 合肥 (安徽 340000), filed
 * to 海南 (460000); the filing is lost on the insured side in a system upgrade; he is treated at
 * 海南省人民医院 and the discharge settlement (2304) fails for want of a filing.
 */
export const AH_PERSON = { psn_no: 'P34010000000001', psn_name: '张伟', insuplc_admdvs: '340100' } as const;
export const HAINAN_HOSPITAL = {
  fixmedins_code: 'H46000000001',
  fixmedins_name: '海南省人民医院',
  mdtrtarea_admvs: '460000',
} as const;
const DAY = 86_400_000;
let serial = 0;

/** A filing to 海南 made ten days ago, ACTIVE, then "deleted" on the insured side (its row cancelled). */
export async function lostFiling(
  w: CaseWorker,
  orm: Orm,
  psn_no: string = AH_PERSON.psn_no,
): Promise<string> {
  serial += 1;
  const i: FilingInput = {
    filing_id: `filing-${psn_no}-t${Date.now() % 1_000_000}${serial}`,
    psn_no,
    category: 'other_temporary',
    mdtrtarea_admdvs: HAINAN_HOSPITAL.mdtrtarea_admvs,
    fixmedins_code: null,
    begndate: cstDate(Date.now() - 10 * DAY),
    enddate: null,
    commitment: true,
    emergency_adm_date: null,
    retro: null,
    referral: null,
    form: {},
    submitted_by: 'zhangwei',
  };
  await w.client.workflow.start(filingWorkflow, {
    workflowId: i.filing_id,
    taskQueue: w.taskQueue,
    args: [i],
  });
  await eventually(async () => {
    const f = await orm.em.fork().findOne(Filing, { id: i.filing_id });
    return f?.status === 'ACTIVE' ? f : undefined;
  });
  // The upgrade of the insured place's system dropped the filing: the row says so, the record is kept.
  await orm.em
    .fork()
    .getKnex()('filing')
    .where({ id: i.filing_id })
    .update({ status: 'CANCELLED', reason: '系统升级中被误删' });
  return i.filing_id;
}

/** What a stay at 海南省人民医院 is made of: the person, its dates (days before now) and its fee lines. */
export interface StayPlan {
  psn_no: string;
  insutype?: string;
  /** Admission and discharge, in days before now (default 3 and 1). */
  begin_days_ago?: number;
  end_days_ago?: number;
  /** [feedetl_sn, med_list_codg, price in fen, count]; default a bed for three days and an operation. */
  lines?: [string, string, number, number][];
  /** Runs after discharge (2402), before 2304. */
  before2304?: () => Promise<void>;
}

/**
 * 2401 → 2301 → 2402 → 2304 at 海南省人民医院 on the real worker: the stay, and either the settlement
 * or the refusal (its failure type and Chinese message).
 */
export async function stayTo2304(
  w: CaseWorker,
  plan: StayPlan,
): Promise<{
  mdtrt_id: string;
  msgid: (infno: string) => { updateId: string };
  settled: { setl_id: string | null } | null;
  refusal: { type: string; message: string } | null;
}> {
  serial += 1;
  const tag = `${process.pid % 1000}${String(Date.now() % 1_000_000).padStart(6, '0')}${serial}`.slice(-10);
  const mdtrt_id = newMdtrtId('460000', cstDate(Date.now()), tag.padStart(10, '0'));
  const begntime = new Date(Date.now() - (plan.begin_days_ago ?? 3) * DAY).toISOString();
  const admission: Admission = {
    psn_no: plan.psn_no,
    insutype: plan.insutype ?? '310',
    mdtrt_cert_type: '02',
    mdtrt_cert_no: plan.psn_no,
    med_type: '21',
    ipt_no: `ZY${tag}`,
    begntime,
    ...HAINAN_HOSPITAL,
    insuplc_admdvs: AH_PERSON.insuplc_admdvs,
    adm_dept_codg: null,
    adm_dept_name: null,
    atddr_name: null,
    adm_diag_dscr: null,
    emergency: false,
    diseinfo: [],
    opter: 'his-hn',
    opter_name: '海南省人民医院收费员',
  };
  const stay = await w.client.workflow.start(hospitalizationWorkflow, {
    workflowId: stayWorkflowId(mdtrt_id),
    taskQueue: w.taskQueue,
    args: [{ mdtrt_id, admission, msgid: `${tag}-2401` }],
  });
  const msg = (infno: string) => ({ updateId: transactionUpdateId(infno, `${tag}-${infno}`) });
  await stay.executeUpdate(admissionUpdate, msg('2401'));
  const lines = plan.lines ?? [
    ['0001', '001107000010000', 6000, 3],
    ['0002', '003310000010000', 380000, 1],
  ];
  await stay.executeUpdate(uploadFeesUpdate, {
    ...msg('2301'),
    args: [
      {
        feedetail: lines.map(([feedetl_sn, code, pric, cnt]) => ({
          feedetl_sn,
          rx_drord_no: null,
          med_list_codg: code,
          medins_list_codg: `HN-${code}`,
          medins_list_name: null,
          fee_ocur_time: begntime,
          cnt_e4: cnt * 10_000,
          pric_e4: pric * 100,
          det_item_fee_sumamt: pric * cnt,
          bilg_dept_codg: null,
          bilg_dr_codg: null,
        })),
        opter: 'his-hn',
      },
    ],
  });
  await stay.executeUpdate(dischargeUpdate, {
    ...msg('2402'),
    args: [
      {
        endtime: new Date(Date.now() - (plan.end_days_ago ?? 1) * DAY).toISOString(),
        dscg_way: '1',
        dscg_maindiag_code: 'K35.9',
        dscg_maindiag_name: '急性阑尾炎',
        diseinfo: [],
        opter: 'his-hn',
      },
    ],
  });
  await plan.before2304?.();
  try {
    const settled = await stay.executeUpdate(settleUpdate, {
      ...msg('2304'),
      args: [{ acct_used_flag: false, mid_setl_flag: false, opter: 'his-hn' }],
    });
    return { mdtrt_id, msgid: msg, settled, refusal: null };
  } catch (error) {
    if (!(error instanceof WorkflowUpdateFailedError)) throw error;
    const cause = error.cause as { type?: string; message: string };
    return {
      mdtrt_id,
      msgid: msg,
      settled: null,
      refusal: { type: cause.type ?? '', message: cause.message },
    };
  }
}

/**
 * The seed story's stay for a person whose filing is lost: the settlement is refused (FILING_REQUIRED)
 * and names the ticket it raised. Returns the stay, its ticket and the refusal.
 */
export async function stuckStay(
  w: CaseWorker,
  orm: Orm,
  person: { psn_no: string; insutype?: string } = AH_PERSON,
): Promise<{ mdtrt_id: string; ticket: Ticket; refusal: { type: string; message: string } }> {
  const { mdtrt_id, refusal } = await stayTo2304(w, person);
  if (!refusal) throw new Error('2304 settled although the filing is lost');
  const ticket = await eventually(
    async () => (await orm.em.fork().findOne(Ticket, { mdtrt_id })) ?? undefined,
  );
  return { mdtrt_id, ticket, refusal };
}
