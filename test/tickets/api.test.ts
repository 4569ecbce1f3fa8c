import request from 'supertest';
import { manualClaimWorkflowId } from '../../cases';
import { CaseDocument, ManualClaim, Ticket, TicketActionRow, TicketComment } from '../../db/entities';
import { insureInHefei } from '../support/db';
import { eventually } from '../support/eventually';
import { startTestPlatform, type TestPlatform } from '../support/platform';
import { stuckStay } from './story';

/** The ticket routes on the real worker and PostgreSQL: 安徽 (insured) and 海南 (treatment); 四川 is a third province. */
let p: TestPlatform;
let ticket_id: string;
let mdtrt_id: string;

beforeAll(async () => {
  p = await startTestPlatform();
  // One person per stay (a person has one bed at a time).
  await insureInHefei(
    p.orm,
    ['赵磊', '钱芳', '孙强'].map((psn_name, i) => ({
      psn_no: `P3401000000007${i + 1}`,
      psn_name,
      certno: `34010219900101307${i + 1}`,
    })),
  );
  const s = await stuckStay(p.worker, p.orm, { psn_no: 'P34010000000071' });
  ticket_id = s.ticket.ticket_id;
  mdtrt_id = s.mdtrt_id;
}, 180_000);
afterAll(async () => {
  await p?.close();
});

const as = (u: string) => p.as(u);
const actions = () => p.orm.em.fork().count(TicketActionRow, { ticket_id });

test('both sides comment, with an attachment, and each sees the other’s comment', async () => {
  const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from('备案截图')]);
  const upload = await request(p.app)
    .post(`/api/v1/tickets/${ticket_id}/attachments`)
    .set(await as('coord-hi'))
    .set('Content-Type', 'application/pdf')
    .set('X-Filename', encodeURIComponent('结算报错截图.pdf'))
    .send(pdf)
    .expect(201);
  expect(upload.body).toMatchObject({
    filename: '结算报错截图.pdf',
    content_type: 'application/pdf',
    size: pdf.length,
  });
  await request(p.app)
    .post(`/api/v1/tickets/${ticket_id}/comments`)
    .set(await as('coord-hi'))
    .send({ text: '医院 2304 返回未备案，截图见附件', document_ids: [upload.body.document_id] })
    .expect(201);
  await request(p.app)
    .post(`/api/v1/tickets/${ticket_id}/comments`)
    .set(await as('coord-ah'))
    .send({ text: '已收到，正在核查参保地备案记录' })
    .expect(201);
  for (const [user, other] of [
    ['coord-ah', '医院 2304 返回未备案'],
    ['coord-hi', '正在核查参保地备案记录'],
  ] as const) {
    const view = (
      await request(p.app)
        .get(`/api/v1/tickets/${ticket_id}`)
        .set(await as(user))
        .expect(200)
    ).body;
    expect(view.comments.map((c: { text: string }) => c.text).join('\n')).toContain(other);
    expect(view.comments[0]).toMatchObject({
      side: 'treatment',
      author: 'coord-hi',
      author_name: '海南省 协同 邢娜',
      attachments: [{ filename: '结算报错截图.pdf' }],
    });
  }
  const file = await request(p.app)
    .get(`/api/v1/tickets/${ticket_id}/attachments/${upload.body.document_id}`)
    .set(await as('coord-ah'))
    .expect(200);
  expect(Buffer.from(file.body).equals(pdf)).toBe(true);
});

test('a comment or an attachment POSTed twice without an Idempotency-Key is recorded once', async () => {
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    Buffer.from('重试'),
  ]);
  const upload = async () =>
    request(p.app)
      .post(`/api/v1/tickets/${ticket_id}/attachments`)
      .set(await as('coord-ah'))
      .set('Content-Type', 'image/png')
      .set('X-Filename', encodeURIComponent('备案记录.png'))
      .send(png)
      .expect(201);
  const [a, b] = [await upload(), await upload()];
  expect(b.body.document_id).toBe(a.body.document_id);
  expect(await p.orm.em.fork().count(CaseDocument, { case_id: ticket_id, name: '备案记录.png' })).toBe(1);
  const comment = async () =>
    request(p.app)
      .post(`/api/v1/tickets/${ticket_id}/comments`)
      .set(await as('coord-ah'))
      .send({ text: '网络超时后重发的同一条评论', document_ids: [a.body.document_id] })
      .expect(201);
  const [c1, c2] = [await comment(), await comment()];
  expect(c2.body.comment_id).toBe(c1.body.comment_id);
  expect(await p.orm.em.fork().count(TicketComment, { ticket_id, text: '网络超时后重发的同一条评论' })).toBe(
    1,
  );
});

test('a side may only take its own actions: 海南 cannot restore 安徽’s filing; nothing is recorded', async () => {
  const before = await actions();
  const res = await request(p.app)
    .post(`/api/v1/tickets/${ticket_id}/actions`)
    .set(await as('coord-hi'))
    .send({ action: 'restore_filing' })
    .expect(409);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ code: 'TICKET_WRONG_SIDE', title: '该操作须由对方协同人员办理' });
  expect(res.body.detail).toContain('参保地');
  expect(
    (
      await request(p.app)
        .post(`/api/v1/tickets/${ticket_id}/actions`)
        .set(await as('coord-ah'))
        .send({ action: 'fix_everything' })
        .expect(400)
    ).body.code,
  ).toBe('TICKET_ACTION_UNKNOWN');
  expect(
    (
      await request(p.app)
        .post(`/api/v1/tickets/${ticket_id}/actions`)
        .set(await as('coord-ah'))
        .send({ action: 'correct_person', params: { field: 'certno', value: 'x' } })
        .expect(400)
    ).body.code,
  ).toBe('TICKET_PARAMS_INVALID');
  expect(await actions()).toBe(before);
});

test('the same action resent with one Idempotency-Key is applied once', async () => {
  const before = await actions();
  const send = async () =>
    request(p.app)
      .post(`/api/v1/tickets/${ticket_id}/actions`)
      .set(await as('coord-hi'))
      .set('Idempotency-Key', 'retry-1')
      .send({ action: 'retry_settlement', note: '接口已恢复，请重试' })
      .expect(200);
  const first = await send();
  const again = await send();
  expect(again.body.actions).toEqual(first.body.actions);
  expect(await actions()).toBe(before + 1);
  // The retry ran once and failed again (the filing is still missing): the ticket stays open and says so.
  const t = await eventually(async () => {
    const row = await p.orm.em.fork().findOne(Ticket, { ticket_id });
    return row && row.retries.length > 0 ? row : undefined;
  });
  expect(t.status).toBe('OPEN');
  expect(t.retries).toEqual([expect.objectContaining({ ok: false })]);
});

test('a third province’s coordinator gets 404 on the board, the ticket and the stay', async () => {
  const sc = await as('coord-sc');
  const board = (await request(p.app).get('/api/v1/tickets').set(sc).expect(200)).body;
  expect(board.items).toEqual([]);
  expect((await request(p.app).get(`/api/v1/tickets/${ticket_id}`).set(sc).expect(404)).body.code).toBe(
    'TICKET_NOT_FOUND',
  );
  await request(p.app).get(`/api/v1/stays/${mdtrt_id}`).set(sc).expect(404);
  await request(p.app)
    .post(`/api/v1/tickets/${ticket_id}/actions`)
    .set(sc)
    .send({ action: 'withdraw' })
    .expect(404);
  await request(p.app)
    .post(`/api/v1/tickets/${ticket_id}/comments`)
    .set(sc)
    .send({ text: '看看' })
    .expect(404);
  // A citizen never uses the board.
  await request(p.app)
    .get('/api/v1/tickets')
    .set(await as('zhangwei'))
    .expect(403);
});

test('a closed ticket refuses actions and comments with TICKET_CLOSED, recording nothing', async () => {
  await request(p.app)
    .post(`/api/v1/tickets/${ticket_id}/actions`)
    .set(await as('coord-ah'))
    .send({ action: 'withdraw', note: '参保人已自行办理手工报销' })
    .expect(200);
  const before = await actions();
  const comments = await p.orm.em.fork().count(TicketComment, { ticket_id });
  const res = await request(p.app)
    .post(`/api/v1/tickets/${ticket_id}/actions`)
    .set(await as('coord-hi'))
    .send({ action: 'retry_settlement' })
    .expect(409);
  expect(res.body).toMatchObject({ code: 'TICKET_CLOSED', title: '该问题已办结，不能再操作' });
  expect(res.body.detail).toContain('已撤回');
  await request(p.app)
    .post(`/api/v1/tickets/${ticket_id}/comments`)
    .set(await as('coord-hi'))
    .send({ text: '还需要处理吗' })
    .expect(409);
  expect(await actions()).toBe(before);
  expect(await p.orm.em.fork().count(TicketComment, { ticket_id })).toBe(comments);
  const view = (
    await request(p.app)
      .get(`/api/v1/tickets/${ticket_id}`)
      .set(await as('coord-hi'))
      .expect(200)
  ).body;
  expect(view).toMatchObject({ status: 'WITHDRAWN', allowed_actions: [] });
});

test('raising by hand: refused while one is open, then a coordinator of either side raises one (201) routed by its category', async () => {
  // The earlier tests withdrew the stay's own ticket; a hand-raised one takes its own rounds.
  const raised = await request(p.app)
    .post('/api/v1/tickets')
    .set(await as('coord-hi'))
    .send({ mdtrt_id, category: 'catalogue_unmapped', description: '医院项目 HN-003310000010000 未对照' })
    .expect(201);
  expect(raised.body).toMatchObject({
    ticket_id: `SE${mdtrt_id}51`,
    status: 'OPEN',
    first_responder: 'treatment',
    raised_by: { role: 'coordinator', user: 'coord-hi', side: 'treatment' },
    viewer_side: 'treatment',
  });
  const again = await request(p.app)
    .post('/api/v1/tickets')
    .set(await as('coord-ah'))
    .send({ mdtrt_id, category: 'other', description: '再报一次' })
    .expect(409);
  expect(again.body).toMatchObject({ code: 'TICKET_ALREADY_OPEN', ticket_id: `SE${mdtrt_id}51` });
  await request(p.app)
    .post('/api/v1/tickets')
    .set(await as('coord-sc'))
    .send({ mdtrt_id, category: 'other', description: '看看' })
    .expect(404);
});

test('the hospital of the stay raises a ticket by hand (201), the stay waits on it; another hospital gets 404', async () => {
  const knex = p.orm.em.fork().getKnex();
  // 海南省人民医院's own user, with the demo password (copied from the seeded hospital user).
  const huaxi = await knex('app_user').where({ username: 'hosp-huaxi' }).first('password_hash');
  await knex('app_user').insert({
    id: crypto.randomUUID(),
    username: 'hosp-hnrm',
    display_name: '海南省人民医院 医保办',
    role: 'hospital',
    fixmedins_code: 'H46000000001',
    password_hash: huaxi.password_hash,
    created_at: new Date(),
  });
  const s = await stuckStay(p.worker, p.orm, { psn_no: 'P34010000000072' });
  await request(p.app)
    .post(`/api/v1/tickets/${s.ticket.ticket_id}/actions`)
    .set(await as('coord-ah'))
    .send({ action: 'withdraw', note: '改由医院说明情况' })
    .expect(200);
  const body = { mdtrt_id: s.mdtrt_id, category: 'other', description: '患者备案在参保地查询不到，请协助' };
  const other = await request(p.app)
    .post('/api/v1/tickets')
    .set(await as('hosp-huaxi'))
    .send(body)
    .expect(404);
  expect(other.body.code).toBe('NOT_FOUND');
  const raised = await request(p.app)
    .post('/api/v1/tickets')
    .set(await as('hosp-hnrm'))
    .send(body)
    .expect(201);
  expect(raised.body).toMatchObject({
    ticket_id: `SE${s.mdtrt_id}51`,
    status: 'OPEN',
    first_responder: 'treatment',
    raised_by: { role: 'hospital', user: 'hosp-hnrm', side: null },
  });
  // Both provinces' coordinators see it on their board.
  for (const user of ['coord-ah', 'coord-hi']) {
    const board = (
      await request(p.app)
        .get('/api/v1/tickets')
        .set(await as(user))
        .expect(200)
    ).body;
    expect(board.items.map((t: { ticket_id: string }) => t.ticket_id)).toContain(raised.body.ticket_id);
  }
  // The stay waits on the hand-raised ticket now: converting it leaves direct settlement.
  await request(p.app)
    .post(`/api/v1/tickets/${raised.body.ticket_id}/actions`)
    .set(await as('coord-ah'))
    .send({ action: 'convert_manual' })
    .expect(200);
  const claim = await eventually(async () => {
    const c = await p.orm.em.fork().findOne(ManualClaim, { mdtrt_id: s.mdtrt_id });
    return c ?? undefined;
  });
  expect(claim.ticket_id).toBe(raised.body.ticket_id);
});

test('converted to 手工报销: GET /tasks/{id} shows 安徽 staff the claim and its stay; 海南 staff get 404', async () => {
  const s = await stuckStay(p.worker, p.orm, { psn_no: 'P34010000000073' });
  await request(p.app)
    .post(`/api/v1/tickets/${s.ticket.ticket_id}/actions`)
    .set(await as('coord-ah'))
    .send({ action: 'convert_manual' })
    .expect(200);
  const claim = await eventually(async () => {
    const c = await p.orm.em.fork().findOne(ManualClaim, { mdtrt_id: s.mdtrt_id });
    return c?.task_id ? c : undefined;
  });
  const task = (
    await request(p.app)
      .get(`/api/v1/tasks/${claim.task_id}`)
      .set(await as('staff-ah'))
      .expect(200)
  ).body;
  expect(task.task).toMatchObject({
    id: claim.task_id,
    kind: 'manual_claim_review',
    case_type: 'manual_claim',
  });
  expect(task.case.claim).toMatchObject({
    claim_id: manualClaimWorkflowId(s.mdtrt_id),
    mdtrt_id: s.mdtrt_id,
    ticket_id: s.ticket.ticket_id,
    status: 'UNDER_REVIEW',
    medfee_sumamt: 6000 * 3 + 380_000,
  });
  expect(task.case.claim.fund_pay_sumamt).toBeGreaterThan(0);
  expect(task.case.stay).toMatchObject({ mdtrt_id: s.mdtrt_id, status: 'MANUAL_CLAIM' });
  // The treatment province's staff do not review the insured place's claim.
  await request(p.app)
    .get(`/api/v1/tasks/${claim.task_id}`)
    .set(await as('staff-hi'))
    .expect(404);
});
