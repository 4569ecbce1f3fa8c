/**
 * The demo's 问题协同: the seed article's story on 安徽 → 海南, so the coordinator board is not empty
 * after `npm run demo:reset`. 张伟's filing to 海南 was lost on the insured side in a system upgrade;
 * at 海南省人民医院 his discharge settlement (2304) fails and the stay raises ticket `SE…01`, open for
 * coord-ah (first responder) and coord-hi (assisting). Made through the real workflows.
 */

import type { Knex } from '@mikro-orm/knex';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import {
  type Admission,
  admissionUpdate,
  cstDate,
  dischargeUpdate,
  type FilingInput,
  settleUpdate,
  stayWorkflowId,
  ticketId,
  ticketWorkflowId,
  transactionUpdateId,
  uploadFeesUpdate,
  WORKFLOW_TYPES,
} from '../cases';
import {
  CaseDocument,
  CaseEvent,
  FeeDetail,
  Filing,
  HumanTask,
  Stay,
  Ticket,
  TicketActionRow,
  TicketComment,
} from '../db/entities';
import type { CaseDeps } from './context';

type Deps = Pick<CaseDeps, 'orm' | 'temporal' | 'taskQueue' | 'log'>;

const DAY = 86_400_000;
const PSN_NO = 'P34010000000001';
export const DEMO_TICKET_MDTRT_ID = '460000DEMO0000000001';
export const DEMO_TICKET_FILING_ID = `filing-${PSN_NO}-demo-se`;
export const DEMO_TICKET_ID = ticketId(DEMO_TICKET_MDTRT_ID, 1);

/** Waits (bounded) for a row a workflow projects. */
async function until<T>(what: string, read: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const row = await read();
    if (row) return row;
    if (Date.now() > deadline) throw new Error(`demo: ${what} not there within a minute`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Seeds the story unless its stay exists; returns whether it did. */
export async function seedDemoTicket(deps: Deps, now = Date.now()): Promise<boolean> {
  if (await deps.orm.em.fork().findOne(Stay, { mdtrt_id: DEMO_TICKET_MDTRT_ID }, { fields: ['mdtrt_id'] }))
    return false;
  const filing: FilingInput = {
    filing_id: DEMO_TICKET_FILING_ID,
    psn_no: PSN_NO,
    category: 'other_temporary',
    mdtrtarea_admdvs: '460000',
    fixmedins_code: null,
    begndate: cstDate(now - 20 * DAY),
    enddate: null,
    commitment: true,
    emergency_adm_date: null,
    retro: null,
    referral: null,
    form: { source: 'demo' },
    submitted_by: 'zhangwei',
    prov_admdvs: '340000',
  };
  await startOnce(deps, WORKFLOW_TYPES.filing, DEMO_TICKET_FILING_ID, filing);
  await until('the demo filing', async () =>
    deps.orm.em.fork().findOne(Filing, { id: DEMO_TICKET_FILING_ID, status: 'ACTIVE' }),
  );
  // The upgrade of 安徽's system dropped the filing: the row says so, the record is kept.
  await deps.orm.em
    .fork()
    .getKnex()('filing')
    .where({ id: DEMO_TICKET_FILING_ID })
    .update({ status: 'CANCELLED', reason: '系统升级中被误删' });

  const mdtrt_id = DEMO_TICKET_MDTRT_ID;
  const begntime = new Date(now - 12 * DAY).toISOString();
  const admission: Admission = {
    psn_no: PSN_NO,
    insutype: '310',
    mdtrt_cert_type: '02',
    mdtrt_cert_no: PSN_NO,
    med_type: '21',
    ipt_no: 'DEMO-ZY-0001',
    begntime,
    fixmedins_code: 'H46000000001',
    fixmedins_name: '海南省人民医院',
    mdtrtarea_admvs: '460000',
    insuplc_admdvs: '340100',
    adm_dept_codg: null,
    adm_dept_name: '普外科',
    atddr_name: null,
    adm_diag_dscr: '急性阑尾炎',
    emergency: false,
    diseinfo: [],
    opter: 'his-hn',
    opter_name: '海南省人民医院收费员',
  };
  await startOnce(deps, WORKFLOW_TYPES.hospitalization, stayWorkflowId(mdtrt_id), {
    mdtrt_id,
    admission,
    msgid: 'demo-se-2401',
  });
  const stay = deps.temporal.workflow.getHandle(stayWorkflowId(mdtrt_id));
  const msg = (infno: string) => ({ updateId: transactionUpdateId(infno, `demo-se-${infno}`) });
  await stay.executeUpdate(admissionUpdate, msg('2401'));
  await stay.executeUpdate(uploadFeesUpdate, {
    ...msg('2301'),
    args: [
      {
        feedetail: (
          [
            ['0001', '001107000010000', 6000, 10],
            ['0002', '001201000010000', 3000, 10],
            ['0003', '003310000010000', 380000, 1],
          ] as const
        ).map(([feedetl_sn, code, pric, cnt]) => ({
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
        endtime: new Date(now - 2 * DAY).toISOString(),
        dscg_way: '1',
        dscg_maindiag_code: 'K35.9',
        dscg_maindiag_name: '急性阑尾炎',
        diseinfo: [],
        opter: 'his-hn',
      },
    ],
  });
  try {
    await stay.executeUpdate(settleUpdate, {
      ...msg('2304'),
      args: [{ acct_used_flag: false, mid_setl_flag: false, opter: 'his-hn' }],
    });
  } catch (error) {
    // Refused for want of a filing, naming the ticket it raised: the story.
    if (!(error instanceof WorkflowUpdateFailedError)) throw error;
  }
  await until('the demo ticket', async () =>
    deps.orm.em.fork().findOne(Ticket, { ticket_id: DEMO_TICKET_ID }),
  );
  deps.log(`demo: 问题协同 ${DEMO_TICKET_ID} seeded (stay ${mdtrt_id})`);
  return true;
}

async function startOnce(deps: Deps, type: string, workflowId: string, input: unknown): Promise<void> {
  try {
    await deps.temporal.workflow.start(type, { workflowId, taskQueue: deps.taskQueue, args: [input] });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
}

/** The story removed: its workflows terminated first (none writes back), then its rows. */
export async function removeDemoTicket(deps: Deps): Promise<void> {
  const mdtrt_id = DEMO_TICKET_MDTRT_ID;
  const workflows = [
    ticketWorkflowId(DEMO_TICKET_ID),
    stayWorkflowId(mdtrt_id),
    `manual-claim-${mdtrt_id}`,
    `compensation-${mdtrt_id}S01`,
    DEMO_TICKET_FILING_ID,
  ];
  for (const id of workflows) {
    try {
      await deps.temporal.workflow.getHandle(id).terminate('demo reset');
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    }
  }
  const tickets = (await deps.orm.em.fork().find(Ticket, { mdtrt_id }, { fields: ['ticket_id'] })).map(
    (t) => t.ticket_id,
  );
  await deps.orm.em.fork().transactional(async (tx) => {
    const knex = tx.getTransactionContext<Knex.Transaction>() as Knex.Transaction;
    await tx.nativeDelete(HumanTask, {
      case_id: { $in: [...tickets, `manual-claim-${mdtrt_id}`, DEMO_TICKET_FILING_ID] },
    });
    await tx.nativeDelete(TicketComment, { ticket_id: { $in: tickets } });
    await tx.nativeDelete(TicketActionRow, { ticket_id: { $in: tickets } });
    await tx.nativeDelete(CaseDocument, { case_id: { $in: tickets } });
    await tx.nativeDelete(Ticket, { mdtrt_id });
    await tx.nativeDelete(CaseEvent, { case_id: { $in: [mdtrt_id, DEMO_TICKET_FILING_ID] } });
    await tx.nativeDelete(FeeDetail, { mdtrt_id });
    await knex('manual_claim').where({ mdtrt_id }).delete();
    await knex('compensation').where({ mdtrt_id }).delete();
    // The settlement of a resolved story, with its ledger lines (a demo stay only).
    await knex('setl_detail')
      .whereIn('setl_id', knex('settlement').select('setl_id').where({ mdtrt_id }))
      .delete();
    await knex('ledger_entry').where({ mdtrt_id }).delete();
    await knex('settlement').where({ mdtrt_id }).delete();
    await tx.nativeDelete(Stay, { mdtrt_id });
    await tx.nativeDelete(Filing, { id: DEMO_TICKET_FILING_ID });
  });
}
