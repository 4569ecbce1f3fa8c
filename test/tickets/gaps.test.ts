import path from 'node:path';
import request from 'supertest';
import { stayWorkflowId, ticketActionUpdate, ticketWorkflowId } from '../../cases';
import { CaseEvent, FilingTransmission, HumanTask, Ticket, TicketActionRow } from '../../db/entities';
import { insureInHefei } from '../support/db';
import { eventually } from '../support/eventually';
import { startTestPlatform, type TestPlatform } from '../support/platform';
import { lostFiling, stayTo2304, stuckStay } from './story';

/** The ticket gaps closed after the first cut of 问题协同: SLA, status after the stay heard, old values. */
let p: TestPlatform;
const PEOPLE = [1, 2, 3, 4, 5].map((i) => `P3401000000006${i}`);
beforeAll(async () => {
  p = await startTestPlatform({ workflowsPath: path.join(__dirname, 'workflows', 'index.ts') });
  await insureInHefei(
    p.orm,
    PEOPLE.map((psn_no, i) => ({ psn_no, psn_name: `缺口${i + 1}`, certno: `34010219900101206${i + 1}` })),
  );
}, 180_000);
afterAll(async () => {
  await p?.close();
}, 60_000);

const act = (
  ticket_id: string,
  action: string,
  side: 'insured' | 'treatment',
  user: string,
  params: Record<string, string> = {},
) => {
  const action_id = crypto.randomUUID();
  return p.worker.client.workflow.getHandle(ticketWorkflowId(ticket_id)).executeUpdate(ticketActionUpdate, {
    updateId: action_id,
    args: [{ action_id, action: action as 'withdraw', side, user, note: null, params }],
  });
};

test('an escalated ticket keeps its SLA at the first responder’s first due time (board and monitoring read it)', async () => {
  const { ticket } = await stuckStay(p.worker, p.orm, { psn_no: PEOPLE[0]! });
  const first = await eventually(async () => {
    const t = await p.orm.em
      .fork()
      .findOne(HumanTask, { case_id: ticket.ticket_id, kind: 'ticket_response', status: 'open' });
    return t?.due_at ? t : undefined;
  });
  const firstDue = first.due_at!.toISOString();
  await p.worker.env.sleep('8 days');
  const escalated = await eventually(async () => {
    const t = await p.orm.em.fork().findOne(HumanTask, { id: first.id });
    return t?.status === 'escalated' ? t : undefined;
  });
  expect(escalated.due_at!.toISOString()).not.toBe(firstDue);
  const row = await eventually(async () => {
    const t = await p.orm.em.fork().findOne(Ticket, { ticket_id: ticket.ticket_id });
    return t?.sides.find((s) => s.side === 'insured')?.escalated ? t : undefined;
  });
  expect(row.sla_due_at.toISOString()).toBe(firstDue);
  const board = (
    await request(p.app)
      .get('/api/v1/tickets')
      .set(await p.as('coord-ah'))
      .expect(200)
  ).body.items.find((t: { ticket_id: string }) => t.ticket_id === ticket.ticket_id);
  expect(board.sla.due_at).toBe(firstDue);
});

test('convert_manual whose signal cannot reach the stay is refused and leaves the ticket OPEN, nothing recorded', async () => {
  const { mdtrt_id, ticket } = await stuckStay(p.worker, p.orm, { psn_no: PEOPLE[1]! });
  await eventually(async () =>
    (await p.orm.em.fork().count(HumanTask, { case_id: ticket.ticket_id })) === 2 ? true : undefined,
  );
  // The stay's workflow is gone (terminated by an operator): it cannot hear the conversion.
  await p.worker.client.workflow.getHandle(stayWorkflowId(mdtrt_id)).terminate('operator');
  await expect(act(ticket.ticket_id, 'convert_manual', 'insured', 'coord-ah')).rejects.toMatchObject({
    cause: { type: 'TICKET_STAY_UNREACHABLE' },
  });
  const state = await p.worker.client.workflow
    .getHandle(ticketWorkflowId(ticket.ticket_id))
    .query('ticketState');
  expect(state).toMatchObject({ status: 'OPEN' });
  const row = await p.orm.em.fork().findOneOrFail(Ticket, { ticket_id: ticket.ticket_id });
  expect(row.status).toBe('OPEN');
  expect(await p.orm.em.fork().count(TicketActionRow, { ticket_id: ticket.ticket_id })).toBe(0);
  // Still open: it can be withdrawn.
  await act(ticket.ticket_id, 'withdraw', 'insured', 'coord-ah');
  await eventually(async () => {
    const t = await p.orm.em.fork().findOne(Ticket, { ticket_id: ticket.ticket_id });
    return t?.status === 'WITHDRAWN' ? t : undefined;
  });
});

test('correct_person records the old value with the new one, on the ticket action and the citizen’s timeline', async () => {
  const psn_no = PEOPLE[2]!;
  const { mdtrt_id, ticket } = await stuckStay(p.worker, p.orm, { psn_no });
  await act(ticket.ticket_id, 'correct_person', 'insured', 'coord-ah', {
    field: 'psn_name',
    value: '缺口三',
  });
  const action = await eventually(async () => {
    const a = await p.orm.em
      .fork()
      .findOne(TicketActionRow, { ticket_id: ticket.ticket_id, action: 'correct_person' });
    return a ?? undefined;
  });
  expect(action.params).toEqual({ field: 'psn_name', value: '缺口三', old_value: '缺口3' });
  expect(action.outcome).toContain('由“缺口3”更正为“缺口三”');
  const view = (
    await request(p.app)
      .get(`/api/v1/stays/${mdtrt_id}`)
      .set(await p.as('staff-ah'))
      .expect(200)
  ).body;
  expect(view.timeline.map((e: { text: string }) => e.text).join('\n')).toContain('由“缺口3”更正为“缺口三”');
});

test('another case (清算) raises a ticket for a settled stay with a category of its own: reconciliation_mismatch goes to 海南', async () => {
  const psn_no = PEOPLE[3]!;
  const filing = await lostFiling(p.worker, p.orm, psn_no);
  await p.orm.em.fork().getKnex()('filing').where({ id: filing }).update({ status: 'ACTIVE', reason: null });
  const { mdtrt_id, settled } = await stayTo2304(p.worker, { psn_no });
  expect(settled?.setl_id).toBe(`${mdtrt_id}S01`);
  const raise = () =>
    p.worker.client.workflow.execute('raiseStayTicketWorkflow', {
      workflowId: `raise-${mdtrt_id}-${crypto.randomUUID()}`,
      taskQueue: p.worker.taskQueue,
      args: [{ mdtrt_id, category: 'reconciliation_mismatch', description: '3202 对明细账：结算金额不符' }],
    });
  const ticket_id = await raise();
  expect(ticket_id).toBe(`SE${mdtrt_id}51`);
  const ticket = await eventually(
    async () => (await p.orm.em.fork().findOne(Ticket, { ticket_id })) ?? undefined,
  );
  expect(ticket).toMatchObject({
    category: 'reconciliation_mismatch',
    first_responder: 'treatment',
    status: 'OPEN',
  });
  const task = await eventually(async () => {
    const t = await p.orm.em.fork().findOne(HumanTask, { case_id: ticket_id, kind: 'ticket_response' });
    return t ?? undefined;
  });
  expect(task.prov_admdvs).toBe('460000');
  // A second mismatch while it is open joins it.
  expect(await raise()).toBe(ticket_id);
});

test('resend_filing records a transmission (time, target province) on the filing and the ticket, and the stay settles', async () => {
  const psn_no = PEOPLE[4]!;
  const { ticket } = await stuckStay(p.worker, p.orm, { psn_no });
  // The filing exists on the insured side (made again, 补备案); the treatment side never received it.
  const filing = await lostFiling(p.worker, p.orm, psn_no);
  await p.orm.em.fork().getKnex()('filing').where({ id: filing }).update({ status: 'ACTIVE', reason: null });
  await act(ticket.ticket_id, 'resend_filing', 'insured', 'coord-ah');
  const sent = await p.orm.em.fork().find(FilingTransmission, { ticket_id: ticket.ticket_id });
  expect(sent).toEqual([
    expect.objectContaining({ filing_id: filing, target_admdvs: '460000', sent_by: 'coord-ah' }),
  ]);
  const action = await eventually(async () => {
    const a = await p.orm.em
      .fork()
      .findOne(TicketActionRow, { ticket_id: ticket.ticket_id, action: 'resend_filing' });
    return a ?? undefined;
  });
  expect(action.params).toMatchObject({
    filing_id: filing,
    target_admdvs: '460000',
    sent_at: sent[0]!.sent_at.toISOString(),
  });
  expect(action.outcome).toContain(`向就医地（460000）重新上传备案 ${filing}`);
  const events = await p.orm.em.fork().find(CaseEvent, { case_id: filing, kind: 'filing_resent' });
  expect(events).toHaveLength(1);
  await eventually(async () => {
    const t = await p.orm.em.fork().findOne(Ticket, { ticket_id: ticket.ticket_id });
    return t?.status === 'RESOLVED' ? t : undefined;
  });
});
