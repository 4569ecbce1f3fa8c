import path from 'node:path';
import request from 'supertest';
import { stayWorkflowId } from '../../cases';
import { Filing, HumanTask, Stay, Ticket, TicketActionRow } from '../../db/entities';
import { eventually } from '../support/eventually';
import { recordAndReplay } from '../support/histories';
import { startTestPlatform, type TestPlatform } from '../support/platform';
import { bundleCaseWorkflows } from '../support/temporal';
import { lostFiling, stuckStay } from './story';

/** Recorded by `YIDI_RECORD_HISTORIES=1 npx jest test/tickets`; replayed by test/cases/replay.test.ts. */
const HISTORIES_DIR = path.join(__dirname, '..', 'cases', 'histories', 'tickets');
const TYPES = new Set(['hospitalizationWorkflow', 'settlementWorkflow', 'settlementErrorWorkflow']);

let p: TestPlatform;
beforeAll(async () => {
  p = await startTestPlatform();
}, 180_000);
afterAll(async () => {
  try {
    const { failures } = await recordAndReplay(
      p.worker.client,
      await bundleCaseWorkflows(),
      path.join(HISTORIES_DIR, 'seed-story'),
      TYPES,
    );
    expect(failures).toEqual([]);
  } finally {
    await p?.close();
  }
}, 120_000);

test('the seed story: a filing lost on the insured side, 2304 refused, a ticket for 安徽, the filing restored, the stay settles by itself', async () => {
  const { orm } = p;
  const filing_id = await lostFiling(p.worker, orm);
  const { mdtrt_id, ticket, refusal } = await stuckStay(p.worker, orm);

  // The hospital hears why, in Chinese, and which ticket now works on it.
  expect(refusal.type).toBe('FILING_REQUIRED');
  expect(refusal.message).toContain('参保人尚未办理异地就医备案');
  expect(refusal.message).toContain(`已发起问题协同 ${ticket.ticket_id}`);
  expect(ticket).toMatchObject({
    category: 'filing_missing',
    status: 'OPEN',
    first_responder: 'insured',
    insured_prov: '340000',
    treatment_prov: '460000',
    psn_name: '张伟',
    fixmedins_name: '海南省人民医院',
  });
  const stuck = await orm.em.fork().findOneOrFail(Stay, { mdtrt_id });
  expect(stuck.status).toBe('SETTLEMENT_ERROR');

  // Each side has its own task: 安徽 answers first, 海南 assists.
  const tasks = await eventually(async () => {
    const rows = await orm.em
      .fork()
      .find(HumanTask, { case_id: ticket.ticket_id }, { orderBy: { prov_admdvs: 'asc' } });
    return rows.length === 2 ? rows : undefined;
  });
  expect(tasks.map((t) => [t.prov_admdvs, t.kind, t.role, t.status])).toEqual([
    ['340000', 'ticket_response', 'coordinator', 'open'],
    ['460000', 'ticket_assist', 'coordinator', 'open'],
  ]);

  // Each coordinator's task list shows their own side's task, and only that.
  const queue = async (u: string) =>
    (
      await request(p.app)
        .get('/api/v1/tasks')
        .set(await p.as(u))
        .expect(200)
    ).body.items.map((t: { id: string }) => t.id);
  expect(await queue('coord-ah')).toContain(tasks[0]?.id);
  expect(await queue('coord-ah')).not.toContain(tasks[1]?.id);
  expect(await queue('coord-hi')).toContain(tasks[1]?.id);
  const task = (
    await request(p.app)
      .get(`/api/v1/tasks/${tasks[0]?.id}`)
      .set(await p.as('coord-ah'))
      .expect(200)
  ).body;
  expect(task.case).toMatchObject({ ticket_id: ticket.ticket_id, viewer_side: 'insured' });

  // 安徽's coordinator finds it on the board, and restores the filing from its record.
  const board = (
    await request(p.app)
      .get('/api/v1/tickets?status=OPEN')
      .set(await p.as('coord-ah'))
      .expect(200)
  ).body;
  expect(board.items.map((t: { ticket_id: string }) => t.ticket_id)).toContain(ticket.ticket_id);
  expect(board.items.find((t: { ticket_id: string }) => t.ticket_id === ticket.ticket_id).psn_name).toBe(
    '张*',
  );
  const page = (
    await request(p.app)
      .get(`/api/v1/tickets/${ticket.ticket_id}`)
      .set(await p.as('coord-ah'))
      .expect(200)
  ).body;
  expect(page.viewer_side).toBe('insured');
  expect(page.allowed_actions).toContain('restore_filing');
  expect(page.stay).toMatchObject({ mdtrt_id, status: 'SETTLEMENT_ERROR' });
  await request(p.app)
    .post(`/api/v1/tickets/${ticket.ticket_id}/actions`)
    .set(await p.as('coord-ah'))
    .send({ action: 'restore_filing', note: '系统升级误删，已核实' })
    .expect(200);

  // The stay settles by itself (补记账) and the ticket resolves; both tasks close.
  const resolved = await eventually(async () => {
    const t = await orm.em.fork().findOne(Ticket, { ticket_id: ticket.ticket_id });
    return t?.status === 'RESOLVED' ? t : undefined;
  });
  expect(resolved.retries).toEqual([expect.objectContaining({ ok: true })]);
  const settled = await eventually(async () => {
    const s = await orm.em.fork().findOne(Stay, { mdtrt_id });
    return s?.status === 'SETTLED' ? s : undefined;
  });
  expect(settled.setl_id).toBe(`${mdtrt_id}S01`);
  expect(settled.fund_pay_sumamt).toBeGreaterThan(0);
  expect((await orm.em.fork().findOneOrFail(Filing, { id: filing_id })).status).toBe('ACTIVE');
  await eventually(async () => {
    const open = await orm.em
      .fork()
      .count(HumanTask, { case_id: ticket.ticket_id, status: { $in: ['open', 'claimed', 'escalated'] } });
    return open === 0 ? true : undefined;
  });
  const actions = await orm.em.fork().find(TicketActionRow, { ticket_id: ticket.ticket_id });
  expect(actions.map((a) => [a.action, a.side, a.by])).toEqual([['restore_filing', 'insured', 'coord-ah']]);
  expect((await p.worker.client.workflow.getHandle(stayWorkflowId(mdtrt_id)).describe()).status.name).toBe(
    'RUNNING',
  );

  // Both sides' coordinators read the stay the ticket is about (masked), and the filing it needed.
  const seen = (
    await request(p.app)
      .get(`/api/v1/stays/${mdtrt_id}`)
      .set(await p.as('coord-hi'))
      .expect(200)
  ).body;
  expect(seen.psn_name).toBe('张*');
  await request(p.app)
    .get(`/api/v1/filings/${filing_id}`)
    .set(await p.as('coord-ah'))
    .expect(200);

  // The citizen's timeline tells the story, step by step, in plain Chinese.
  const view = (
    await request(p.app)
      .get(`/api/v1/stays/${mdtrt_id}`)
      .set(await p.as('zhangwei'))
      .expect(200)
  ).body;
  const texts: string[] = view.timeline.map((e: { text: string }) => e.text);
  const order = [
    `已发起问题协同 ${ticket.ticket_id}`,
    '结算失败，系统已自动发起问题协同',
    '已交参保地协同人员处理（第一响应）',
    '参保地协同人员：已按备案记录恢复备案',
    '补记账：结算完成',
    '重新结算成功',
    `问题协同 ${ticket.ticket_id} 已解决`,
  ].map((needle) => texts.findIndex((t) => t.includes(needle)));
  expect(order.every((i) => i >= 0)).toBe(true);
  expect(order.slice(3)).toEqual([...order.slice(3)].sort((a, b) => a - b));
});
