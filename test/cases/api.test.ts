import type { Client } from '@temporalio/client';
import type { Express } from 'express';
import request from 'supertest';
import { requestHash } from '../../api/idempotency';
import { deliverPending } from '../../api/staff/decisions';
import { addDays, cstDate } from '../../cases';
import {
  CaseEvent,
  Filing,
  HumanTask,
  IdempotencyRecord,
  Referral,
  TaskDecision,
  User,
} from '../../db/entities';
import type { Orm } from '../../db/orm';
import { eventually } from '../support/eventually';
import { type CaseWorker, startTestPlatform, type TestPlatform } from '../support/platform';

let p: TestPlatform;
let orm: Orm;
let w: CaseWorker;
let app: Express;

const appWith = (temporal: Client): Express => p.appWith({ cases: { temporal } });

beforeAll(async () => {
  p = await startTestPlatform();
  ({ orm, app, worker: w } = p);
}, 120_000);
afterAll(async () => {
  await p?.close();
});

const as = (username: string) => p.as(username);

const referralForm = (mdtrtarea_admdvs = '510100') => ({
  category: 'referral',
  mdtrtarea_admdvs,
  fixmedins_code: 'H51010000001',
  begndate: cstDate(Date.now()),
  tel: '13800000001',
  referral: {
    refl_fil_type: '1',
    diag_name: '肺恶性肿瘤',
    refl_hosp_name: '合肥市第一人民医院',
    documents: ['转诊证明.pdf'],
  },
});

async function fileReferral(username: string, key?: string, place?: string): Promise<string> {
  const req = request(app)
    .post('/api/v1/filings')
    .set(await as(username));
  if (key) req.set('Idempotency-Key', key);
  const res = await req.send(referralForm(place)).expect(202);
  expect(res.headers.location).toBe(`/api/v1/filings/${res.body.id}`);
  return res.body.id as string;
}

async function openTaskOf(case_id: string): Promise<HumanTask> {
  return eventually(
    async () => (await orm.em.fork().findOne(HumanTask, { case_id, status: 'open' })) ?? undefined,
  );
}

test('login gives a signed token; a bad password or a forged token is 401', async () => {
  const me = await request(app)
    .get('/api/v1/me')
    .set(await as('zhangwei'))
    .expect(200);
  expect(me.body).toMatchObject({ role: 'citizen', psn_no: 'P34010000000001' });
  await request(app).post('/api/v1/auth/login').send({ username: 'zhangwei', password: 'nope' }).expect(401);
  const forged = `${(await p.login('zhangwei')).split('.')[0]}.AAAA`;
  const res = await request(app).get('/api/v1/me').set('Authorization', `Bearer ${forged}`).expect(401);
  expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
});

test('an invalid form is 400 problem+json naming each field', async () => {
  const res = await request(app)
    .post('/api/v1/filings')
    .set(await as('zhangwei'))
    .send({ category: 'holiday', mdtrtarea_admdvs: '51', begndate: 'tomorrow' })
    .expect(400);
  expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  const paths = (res.body.errors as { path: string }[]).map((e) => e.path).sort();
  expect(paths).toEqual(expect.arrayContaining(['begndate', 'category', 'mdtrtarea_admdvs', 'tel']));
  // Chinese throughout: the title, and each field by its label with what to fix.
  expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', title: '请求内容有误' });
  const byPath = Object.fromEntries(
    (res.body.errors as { path: string; message: string }[]).map((e) => [e.path, e.message]),
  );
  expect(byPath.begndate).toBe('开始日期：请按 YYYY-MM-DD 填写日期，例如 2026-03-01');
  expect(byPath.tel).toBe('联系电话：此项必填，请填写');
  expect(byPath.category).toMatch(/^备案类别：请从以下选项中选择：retired_resettled、/);
  const sameProvince = await request(app)
    .post('/api/v1/filings')
    .set(await as('zhangwei'))
    .send({ ...referralForm(), mdtrtarea_admdvs: '340100' })
    .expect(400);
  expect(sameProvince.body.errors[0].path).toBe('mdtrtarea_admdvs');
});

test('a repeated submission with the same Idempotency-Key gets the same answer and makes one case', async () => {
  const key = `k-${Date.now()}`;
  const [a, b] = [await fileReferral('liuyang', key), await fileReferral('liuyang', key)];
  expect(b).toBe(a);
  expect(await orm.em.fork().count(Filing, { psn_no: 'P32030000000001' })).toBe(1);
  await request(app)
    .post('/api/v1/filings')
    .set(await as('liuyang'))
    .set('Idempotency-Key', key)
    .send({ ...referralForm(), tel: '13900000000' })
    .expect(422);
});

test('referral end to end: province scope (404), wrong role 403, claim before deciding, approval once, 409 on a second decision', async () => {
  const id = await fileReferral('zhangwei');
  const task = await openTaskOf(id);

  // 海南's staff never see a case of a citizen insured in 安徽.
  const hiQueue = await request(app)
    .get('/api/v1/tasks')
    .set(await as('staff-hi'))
    .expect(200);
  expect(hiQueue.body.items.map((t: HumanTask) => t.case_id)).not.toContain(id);
  await request(app)
    .get(`/api/v1/filings/${id}`)
    .set(await as('staff-hi'))
    .expect(404);
  const hiList = await request(app)
    .get('/api/v1/filings')
    .set(await as('staff-hi'))
    .expect(200);
  expect(hiList.body.items.map((f: Filing) => f.id)).not.toContain(id);
  await request(app)
    .get(`/api/v1/filings/${id}`)
    .set(await as('lixiuying'))
    .expect(404);

  const ahQueue = await request(app)
    .get('/api/v1/tasks')
    .set(await as('staff-ah'))
    .expect(200);
  expect(ahQueue.body.items.map((t: HumanTask) => t.id)).toContain(task.id);

  const approve = { decision: 'approve' };
  // Another province's task does not exist for its staff.
  await request(app)
    .post(`/api/v1/tasks/${task.id}/decision`)
    .set(await as('staff-hi'))
    .send(approve)
    .expect(404);
  await request(app)
    .post(`/api/v1/tasks/${task.id}/decision`)
    .set(await as('zhangwei'))
    .send(approve)
    .expect(403);
  const noReason = await request(app)
    .post(`/api/v1/tasks/${task.id}/decision`)
    .set(await as('staff-ah'))
    .send({ decision: 'reject' })
    .expect(400);
  expect(noReason.body.errors[0].path).toBe('reason');
  // A decision never claims a task silently: the decider must hold the claim.
  const unclaimed = await request(app)
    .post(`/api/v1/tasks/${task.id}/decision`)
    .set(await as('staff-ah'))
    .send(approve)
    .expect(409);
  expect(unclaimed.body.code).toBe('TASK_NOT_CLAIMED');

  await request(app)
    .post(`/api/v1/tasks/${task.id}/claim`)
    .set(await as('staff-ah'))
    .expect(200);
  const decided = await request(app)
    .post(`/api/v1/tasks/${task.id}/decision`)
    .set(await as('staff-ah'))
    .send(approve)
    .expect(200);
  expect(decided.body).toMatchObject({
    status: 'decided',
    decision: 'approve',
    decided_by: 'staff-ah',
    outcome: 'accepted',
  });
  expect(decided.body.decisions).toMatchObject([{ decision: 'approve', outcome: 'accepted' }]);
  await request(app)
    .post(`/api/v1/tasks/${task.id}/decision`)
    .set(await as('staff-ah'))
    .send(approve)
    .expect(409);
  await request(app)
    .post(`/api/v1/tasks/${task.id}/decision`)
    .set(await as('super-ah'))
    .send(approve)
    .expect(409);

  const detail = await eventually(async () => {
    const res = await request(app)
      .get(`/api/v1/filings/${id}`)
      .set(await as('zhangwei'))
      .expect(200);
    return res.body.filing.status === 'ACTIVE' ? res.body : undefined;
  });
  expect(detail.filing.trt_dcla_detl_sn).toMatch(/^TD340100/);
  expect(detail.referral.status).toBe('APPROVED');
  const kinds = detail.timeline.map((e: { kind: string }) => e.kind);
  expect(kinds).toEqual(
    expect.arrayContaining([
      'submitted',
      'review_task_opened',
      'decision_recorded',
      'referral_approved',
      'active',
    ]),
  );
  expect(kinds.filter((k: string) => k === 'referral_approved')).toHaveLength(1);

  // 2502: staff revoke the approved referral with a memo.
  await request(app)
    .post(`/api/v1/filings/${id}/revoke`)
    .set(await as('staff-hi'))
    .send({ memo: 'x' })
    .expect(404);
  const revoked = await request(app)
    .post(`/api/v1/filings/${id}/revoke`)
    .set(await as('staff-ah'))
    .send({ memo: '患者已回参保地治疗' })
    .expect(200);
  expect(revoked.body.filing.status).toBe('REVOKED');
  expect(revoked.body.referral.status).toBe('REVOKED');
});

const unavailable = {
  workflow: {
    getHandle: () => ({
      executeUpdate: async () => {
        throw new Error('14 UNAVAILABLE: connection refused');
      },
    }),
  },
} as unknown as Client;

test('a Temporal outage during a decision: recorded, answered 503, delivered later exactly once', async () => {
  const id = await fileReferral('lixiuying');
  const task = await openTaskOf(id);
  await request(app)
    .post(`/api/v1/tasks/${task.id}/claim`)
    .set(await as('staff-ah'))
    .expect(200);
  const res = await request(appWith(unavailable))
    .post(`/api/v1/tasks/${task.id}/decision`)
    .set(await as('staff-ah'))
    .send({ decision: 'more_info', reason: '请补充病历' })
    .expect(503);
  expect(res.body).toMatchObject({ recorded: true, outcome: 'pending', decision: 'more_info' });
  const stored = await orm.em.fork().findOneOrFail(TaskDecision, { task_id: task.id });
  expect(stored).toMatchObject({ decision: 'more_info', outcome: 'pending' });

  expect(await deliverPending(orm, w.client, () => undefined)).toBe(1);
  // Redelivered (the same update id): Temporal answers as the first time; the case applies it once.
  await orm.em.fork().nativeUpdate(TaskDecision, { id: stored.id }, { outcome: 'pending' });
  expect(await deliverPending(orm, w.client, () => undefined)).toBe(1);
  expect(await deliverPending(orm, w.client, () => undefined)).toBe(0);
  const detail = await eventually(async () => {
    const r = await request(app)
      .get(`/api/v1/filings/${id}`)
      .set(await as('lixiuying'))
      .expect(200);
    return r.body.referral?.status === 'MORE_INFO' ? r.body : undefined;
  });
  expect(detail.referral.memo).toBe('请补充病历');

  // The citizen answers; a new review round opens; the citizen then cancels while it is under review.
  await request(app)
    .post(`/api/v1/filings/${id}/more-info`)
    .set(await as('lixiuying'))
    .send({ answer: '已补充', documents: ['病历.pdf'] })
    .expect(202);
  await eventually(
    async () =>
      (await orm.em.fork().findOne(HumanTask, { id: task.id.replace(/-t1$/, '-t2'), status: 'open' })) ??
      undefined,
  );
  const cancelled = await request(app)
    .post(`/api/v1/filings/${id}/cancel`)
    .set(await as('lixiuying'))
    .send({ reason: '不去了' })
    .expect(200);
  expect(cancelled.body.filing.status).toBe('CANCELLED');
  await eventually(async () =>
    (await orm.em.fork().findOne(HumanTask, { id: task.id.replace(/-t1$/, '-t2') }))?.status === 'cancelled'
      ? true
      : undefined,
  );
  const timeline = (await orm.em.fork().find(CaseEvent, { case_id: id })).map((e) => e.kind);
  // Applied once although delivered twice.
  expect(timeline.filter((k) => k === 'more_info_requested')).toHaveLength(1);
  // No request for more information waits any more: the answer is refused with the case's code.
  const late = await request(app)
    .post(`/api/v1/filings/${id}/more-info`)
    .set(await as('lixiuying'))
    .send({ answer: '再补充', documents: [] })
    .expect(409);
  expect(late.body.code).toBe('NO_MORE_INFO_PENDING');
});

test('a decision stored during an outage and refused by the case (withdrawn meanwhile) is answered as refused', async () => {
  const id = await fileReferral('zhangwei');
  const task = await openTaskOf(id);
  await request(app)
    .post(`/api/v1/tasks/${task.id}/claim`)
    .set(await as('staff-ah'))
    .expect(200);
  await request(appWith(unavailable))
    .post(`/api/v1/tasks/${task.id}/decision`)
    .set(await as('staff-ah'))
    .send({ decision: 'approve' })
    .expect(503);
  await request(app)
    .post(`/api/v1/filings/${id}/cancel`)
    .set(await as('zhangwei'))
    .send({ reason: '不去了' })
    .expect(200);
  const seen: string[] = [];
  await deliverPending(orm, w.client, (m) => seen.push(m));
  expect(seen.filter((m) => m.includes(task.id))).toEqual([
    expect.stringMatching(/refused by the case: CASE_WITHDRAWN$/),
  ]);
  const res = await request(app)
    .get(`/api/v1/tasks/${task.id}`)
    .set(await as('staff-ah'))
    .expect(200);
  expect(res.body.task).toMatchObject({ status: 'cancelled', decision: null });
  expect(res.body.task.decisions).toMatchObject([
    { decision: 'approve', outcome: 'refused', refusal_code: 'CASE_WITHDRAWN' },
  ]);
  expect(res.body.case.filing.status).toBe('CANCELLED');
  expect(res.body.case.referral.status).toBe('WITHDRAWN');
  expect(res.body.case.timeline.map((e: { kind: string }) => e.kind)).toContain('decision_refused');
});

test('cancel racing approval: one wins, the other is refused naming it; never CANCELLED with APPROVED', async () => {
  const id = await fileReferral('wangfang');
  const task = await openTaskOf(id);
  await request(app)
    .post(`/api/v1/tasks/${task.id}/claim`)
    .set(await as('staff-hi'))
    .expect(200);
  const [decision, cancel] = await Promise.all([
    request(app)
      .post(`/api/v1/tasks/${task.id}/decision`)
      .set(await as('staff-hi'))
      .send({ decision: 'approve' }),
    request(app)
      .post(`/api/v1/filings/${id}/cancel`)
      .set(await as('wangfang'))
      .send({ reason: '不去了' }),
  ]);
  expect([decision.status, cancel.status].sort()).not.toEqual([409, 409]);
  if (decision.status === 409) expect(['CASE_WITHDRAWN', 'TASK_CANCELLED']).toContain(decision.body.code);
  else expect(decision.status).toBe(200);
  if (cancel.status === 409) {
    expect(cancel.body).toMatchObject({
      code: 'REVIEW_DECIDED',
      decided_by: 'staff-hi',
      decision: 'approve',
    });
  } else expect(cancel.status).toBe(200);
  const final = await eventually(async () => {
    const f = await orm.em.fork().findOne(Filing, { id });
    return f && ['ACTIVE', 'CANCELLED'].includes(f.status) ? f : undefined;
  });
  const referral = await orm.em.fork().findOneOrFail(Referral, { filing_id: id });
  expect([final.status, referral.status]).toEqual(
    cancel.status === 200 ? ['CANCELLED', 'WITHDRAWN'] : ['ACTIVE', 'APPROVED'],
  );
});

test('a Temporal outage at submission: 503 and no filing left behind', async () => {
  const down = {
    workflow: {
      start: async () => {
        throw new Error('14 UNAVAILABLE: connection refused');
      },
    },
  } as unknown as Client;
  const before = await orm.em.fork().count(Filing, { psn_no: 'P46000000000001' });
  const res = await request(appWith(down))
    .post('/api/v1/filings')
    .set(await as('wangfang'))
    .set('Idempotency-Key', 'outage-1')
    .send({ ...referralForm(), tel: '13800000003' })
    .expect(503);
  expect(res.body).toMatchObject({ code: 'WORKFLOW_UNAVAILABLE', title: '工作流服务暂时不可用' });
  expect(res.headers['retry-after']).toBeDefined();
  expect(await orm.em.fork().count(Filing, { psn_no: 'P46000000000001' })).toBe(before);
});

test('a database outage during a decision: 503, nothing recorded', async () => {
  const id = await fileReferral('zhangwei');
  const task = await openTaskOf(id);
  const broken = {
    em: { fork: () => ({ transactional: async () => Promise.reject(new Error('ECONNREFUSED')) }) },
  };
  const brokenApp = p.appWith({ log: () => undefined, cases: { orm: broken as unknown as Orm } });
  const res = await request(brokenApp)
    .post(`/api/v1/tasks/${task.id}/decision`)
    .set(await as('staff-ah'))
    .send({ decision: 'approve' })
    .expect(503);
  expect(res.body).toMatchObject({ code: 'DECISION_NOT_RECORDED', recorded: false });
  expect((await orm.em.fork().findOneOrFail(HumanTask, { id: task.id })).status).toBe('open');
});

test('a long-term filing cannot be changed within the lock: 409 with the reason', async () => {
  const res = await request(app)
    .post('/api/v1/filings')
    .set(await as('wangfang'))
    .send({
      category: 'long_term_residence',
      mdtrtarea_admdvs: '510100',
      begndate: cstDate(Date.now()),
      tel: '13800000003',
      commitment: true,
    })
    .expect(202);
  await eventually(async () =>
    (await orm.em.fork().findOne(Filing, { id: res.body.id }))?.status === 'ACTIVE' ? true : undefined,
  );
  const refused = await request(app)
    .post(`/api/v1/filings/${res.body.id}/change`)
    .set(await as('wangfang'))
    .send({ mdtrtarea_admdvs: '310000', memo: '搬家' })
    .expect(409);
  expect(refused.body).toMatchObject({ code: 'FILING_LOCKED' });
  expect(refused.body.detail).toMatch(
    /^长期备案生效后6个月内不能变更或取消，\d{4}年\d{1,2}月\d{1,2}日后可办理$/,
  );
});

test('a change cannot move the treatment place into the insured province: 400 naming the field', async () => {
  const res = await request(app)
    .post('/api/v1/filings')
    .set(await as('liuyang'))
    .send({
      category: 'other_temporary',
      mdtrtarea_admdvs: '510100',
      begndate: cstDate(Date.now()),
      tel: '13800000004',
    })
    .expect(202);
  await eventually(async () =>
    (await orm.em.fork().findOne(Filing, { id: res.body.id }))?.status === 'ACTIVE' ? true : undefined,
  );
  const refused = await request(app)
    .post(`/api/v1/filings/${res.body.id}/change`)
    .set(await as('liuyang'))
    .send({ mdtrtarea_admdvs: '320300', memo: '回本省' })
    .expect(400)
    .expect('content-type', /application\/problem\+json/);
  expect(refused.body.errors).toEqual([expect.objectContaining({ path: 'mdtrtarea_admdvs' })]);
  const moved = await request(app)
    .post(`/api/v1/filings/${res.body.id}/change`)
    .set(await as('liuyang'))
    .send({ mdtrtarea_admdvs: '310000', memo: '改去上海' })
    .expect(200);
  expect(moved.body.filing.mdtrtarea_admdvs).toBe('310000');
});

test('claim and release; when the SLA lapses the task moves to the supervisors’ 督办 queue', async () => {
  // To 上海: zhangwei's referral to 成都 from the outage test is still under review.
  const id = await fileReferral('zhangwei', undefined, '310000');
  const task = await openTaskOf(id);
  await request(app)
    .post(`/api/v1/tasks/${task.id}/claim`)
    .set(await as('staff-ah'))
    .expect(200);
  await request(app)
    .post(`/api/v1/tasks/${task.id}/claim`)
    .set(await as('staff-ah'))
    .expect(409);
  await request(app)
    .post(`/api/v1/tasks/${task.id}/release`)
    .set(await as('super-ah'))
    .expect(409);
  const released = await request(app)
    .post(`/api/v1/tasks/${task.id}/release`)
    .set(await as('staff-ah'))
    .expect(200);
  expect(released.body).toMatchObject({ status: 'open', assignee: null });

  await w.env.sleep('6 days');
  const escalated = await eventually(async () => {
    const res = await request(app)
      .get('/api/v1/tasks')
      .set(await as('super-ah'))
      .expect(200);
    return res.body.items.find((t: HumanTask) => t.id === task.id);
  });
  expect(escalated).toMatchObject({ status: 'escalated', role: 'supervisor' });
  const hiSupervisor = await request(app)
    .get('/api/v1/tasks')
    .set(await as('super-hi'))
    .expect(200);
  expect(hiSupervisor.body.items.map((t: HumanTask) => t.id)).not.toContain(task.id);

  await request(app)
    .post(`/api/v1/tasks/${task.id}/decision`)
    .set(await as('staff-ah'))
    .send({ decision: 'approve' })
    .expect(403);
  await request(app)
    .post(`/api/v1/tasks/${task.id}/claim`)
    .set(await as('staff-ah'))
    .expect(403);
  await request(app)
    .post(`/api/v1/tasks/${task.id}/claim`)
    .set(await as('super-ah'))
    .expect(200);
  await request(app)
    .post(`/api/v1/tasks/${task.id}/decision`)
    .set(await as('super-ah'))
    .send({ decision: 'reject', reason: '材料不全' })
    .expect(200);
  const detail = await eventually(async () => {
    const res = await request(app)
      .get(`/api/v1/filings/${id}`)
      .set(await as('zhangwei'))
      .expect(200);
    return res.body.filing.status === 'REJECTED' ? res.body : undefined;
  });
  expect(detail.filing.reason).toBe('材料不全');
  expect(detail.timeline.map((e: { kind: string }) => e.kind)).toContain('escalated');
});

test('the OpenAPI document is served from the zod schemas', async () => {
  const res = await request(app).get('/api/v1/openapi.json').expect(200);
  expect(res.body.openapi).toBe('3.1.0');
  expect(res.body.paths['/api/v1/tasks/{id}/decision'].post).toBeDefined();
  expect(res.body.components.schemas.FilingCreate.properties.category.enum).toContain('referral');
  // The catalogue of problem codes is part of the contract.
  expect(res.body.components.schemas.Problem.properties.code.enum).toEqual(
    expect.arrayContaining([
      'VALIDATION_FAILED',
      'FILING_DUPLICATE',
      'IDEMPOTENCY_IN_FLIGHT',
      'REQUEST_TIMEOUT',
    ]),
  );
});

test('the vocabulary with its Chinese labels is served to anyone, and documented', async () => {
  const res = await request(app).get('/api/v1/vocabulary').expect(200);
  expect(res.body.labels.filing_status.UNDER_REVIEW).toBe('审核中');
  expect(res.body.labels.category.referral).toBe('异地转诊');
  expect(res.body.task_kinds.referral_review.decisions).toEqual(['approve', 'reject', 'more_info']);
  // Every code the API can answer has its label.
  for (const status of res.body.filing_statuses) expect(res.body.labels.filing_status[status]).toBeTruthy();
  const doc = await request(app).get('/api/v1/openapi.json').expect(200);
  expect(doc.body.paths['/api/v1/vocabulary'].get.security).toBeUndefined();
});

test('region names for the UI: any logged-in user gets 统筹区 code, name and province; documented', async () => {
  await request(app).get('/api/v1/admdvs').expect(401);
  const res = await request(app)
    .get('/api/v1/admdvs')
    .set(await as('zhangwei'))
    .expect(200);
  expect(res.body.items).toContainEqual({ admdvs: '510100', admdvs_name: '成都市', prov_admdvs: '510000' });
  const doc = await request(app).get('/api/v1/openapi.json').expect(200);
  expect(doc.body.paths['/api/v1/admdvs'].get).toBeDefined();
});

test('a recorded decision whose case is gone leaves the outbox as refused instead of blocking it', async () => {
  const d = crypto.randomUUID();
  const task_id = `filing-gone-${Date.now()}-t1`;
  await orm.em.fork().insert(HumanTask, {
    id: task_id,
    case_id: 'filing-gone',
    case_type: 'filing',
    workflow_id: `filing-gone-${Date.now()}`,
    kind: 'referral_review',
    role: 'staff',
    prov_admdvs: '340000',
    assignee: 'staff-ah',
    status: 'decided',
    due_at: new Date(),
    escalated_at: null,
    decision: 'approve',
    decision_id: d,
    reason: null,
    decided_by: 'staff-ah',
    decided_at: new Date(),
    summary: {},
    created_at: new Date(),
    version: 2,
  });
  await orm.em.fork().insert(TaskDecision, {
    id: d,
    task_id,
    case_id: 'filing-gone',
    workflow_id: `filing-gone-${Date.now()}`,
    decision: 'approve',
    reason: null,
    decided_by: 'staff-ah',
    role: 'staff',
    decided_at: new Date(),
    outcome: 'pending',
    refusal_code: null,
    refusal_reason: null,
    resolved_at: null,
  });
  const seen: string[] = [];
  expect(await deliverPending(orm, w.client, (m) => seen.push(m))).toBe(0);
  expect(seen).toEqual([expect.stringMatching(/refused by the case: CASE_CLOSED/)]);
  expect(await orm.em.fork().findOneOrFail(TaskDecision, { id: d })).toMatchObject({
    outcome: 'refused',
    refusal_code: 'CASE_CLOSED',
  });
  expect(await deliverPending(orm, w.client, () => undefined)).toBe(0);
});

test('a supervisor reassigns a task within the province; another province’s user or nobody is 404', async () => {
  const id = await fileReferral('zhangwei', undefined, '440300');
  const task = await openTaskOf(id);
  const url = `/api/v1/tasks/${task.id}/reassign`;
  await request(app)
    .post(url)
    .set(await as('staff-ah'))
    .send({ assignee: 'staff-ah' })
    .expect(403);
  const other = await request(app)
    .post(url)
    .set(await as('super-ah'))
    .send({ assignee: 'staff-hi' })
    .expect(404);
  expect(other.body.code).toBe('USER_NOT_FOUND');
  await request(app)
    .post(url)
    .set(await as('super-ah'))
    .send({ assignee: 'nobody-here' })
    .expect(404);
  await request(app)
    .post(url)
    .set(await as('super-hi'))
    .send({ assignee: 'staff-hi' })
    .expect(404);
  const moved = await request(app)
    .post(url)
    .set(await as('super-ah'))
    .send({ assignee: 'staff-ah' })
    .expect(200);
  expect(moved.body).toMatchObject({ assignee: 'staff-ah', status: 'claimed' });
  const mine = await request(app)
    .get('/api/v1/tasks?mine=true')
    .set(await as('staff-ah'))
    .expect(200);
  expect(mine.body.items.map((t: HumanTask) => t.id)).toContain(task.id);
  await request(app)
    .post(`/api/v1/tasks/${task.id}/decision`)
    .set(await as('staff-ah'))
    .send({ decision: 'reject', reason: '非转诊范围' })
    .expect(200);
});

const temporaryForm = (begndate: string, extra: Record<string, unknown> = {}) => ({
  category: 'other_temporary',
  mdtrtarea_admdvs: '110000',
  begndate,
  tel: '13800000009',
  ...extra,
});

test('impossible dates, control characters and lone surrogates are 400 naming the field, never accepted', async () => {
  const headers = await as('zhangwei');
  const refused = async (body: Record<string, unknown>, path: string, message: RegExp) => {
    const res = await request(app).post('/api/v1/filings').set(headers).send(body).expect(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.errors).toContainEqual({ path, message: expect.stringMatching(message) });
  };
  for (const day of ['2026-02-31', '2026-13-01', '0000-00-00', '2026-04-31', '2025-02-29']) {
    await refused(temporaryForm(day), 'begndate', /^开始日期：这一天不存在/);
  }
  await refused(temporaryForm('2026-03-01', { enddate: '2027-02-31' }), 'enddate', /^结束日期：这一天不存在/);
  await refused(
    temporaryForm('2026-03-10', { enddate: '2026-03-01' }),
    'enddate',
    /结束日期不能早于开始日期/,
  );
  const tomorrowPlusTwo = addDays(cstDate(Date.now()), 3);
  await refused(
    { ...temporaryForm('2026-03-01'), category: 'emergency', emergency_adm_date: tomorrowPlusTwo },
    'emergency_adm_date',
    /入院日期不能晚于今天/,
  );
  await refused(
    temporaryForm('2026-03-01', { retro: { adm_date: '2026-02-30' } }),
    'retro.adm_date',
    /^入院日期：这一天不存在/,
  );
  await refused(temporaryForm('2026-03-01', { memo: 'a\u0000b' }), 'memo', /^说明：含有控制字符/);
  await refused(temporaryForm('2026-03-01', { addr: 'x\ud800y' }), 'addr', /^居住地址：含有无法识别的字符/);
  await refused(temporaryForm('2026-03-01', { memo: '长'.repeat(501) }), 'memo', /^说明：最多 500 个字符/);
  // A filing's changes, cancellations and answers are held to the same rules.
  const login = await request(app)
    .post('/api/v1/auth/login')
    .send({ username: 'zhang\u0000wei', password: 'x' });
  expect(login.status).toBe(400);
  expect(login.body.errors[0].path).toBe('username');
});

test('junk in a path id is a 400 or 404 problem, never a 5xx', async () => {
  const citizen = await as('zhangwei');
  const staff = await as('staff-ah');
  for (const id of ['%00', 'a%00b', '%ff%fe', '%E0%A4%A', '%ED%A0%80', 'x'.repeat(300), '..%2f..%2fetc']) {
    for (const [path, headers, body] of [
      [`/api/v1/filings/${id}`, citizen, undefined],
      [`/api/v1/filings/${id}/cancel`, citizen, { reason: '不去了' }],
      [`/api/v1/tasks/${id}/decision`, staff, { decision: 'approve' }],
      [`/api/v1/tasks/${id}/claim`, staff, {}],
    ] as const) {
      const req = body ? request(app).post(path).send(body) : request(app).get(path);
      const res = await req.set(headers);
      expect([400, 404]).toContain(res.status);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.code).toEqual(expect.stringMatching(/^(BAD_PATH|NOT_FOUND)$/));
    }
  }
});

test('twenty filings from one citizen at once all get their own case', async () => {
  const headers = await as('chenjing');
  const answers = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      request(app)
        .post('/api/v1/filings')
        .set(headers)
        .send(temporaryForm(addDays('2027-01-01', i), { mdtrtarea_admdvs: '310000' })),
    ),
  );
  expect(answers.map((r) => r.status)).toEqual(Array(20).fill(202));
  const ids = new Set(answers.map((r) => r.body.id as string));
  expect(ids.size).toBe(20);
  for (const id of ids) expect(id).toMatch(/^filing-P44030000000001-[0-9a-z]+-[0-9a-f]{8}$/);
});

test('twenty replays of one Idempotency-Key at once: one case and twenty equal answers', async () => {
  const headers = { ...(await as('lixiuying')), 'Idempotency-Key': `burst-${Date.now()}` };
  const form = temporaryForm(addDays(cstDate(Date.now()), 40), { mdtrtarea_admdvs: '440300' });
  const answers = await Promise.all(
    Array.from({ length: 20 }, () => request(app).post('/api/v1/filings').set(headers).send(form)),
  );
  expect(answers.map((r) => r.status)).toEqual(Array(20).fill(202));
  expect(new Set(answers.map((r) => JSON.stringify(r.body))).size).toBe(1);
  expect(new Set(answers.map((r) => r.headers.location)).size).toBe(1);
  expect(
    await orm.em.fork().count(Filing, { psn_no: 'P34010000000002', begndate: form.begndate as string }),
  ).toBe(1);
});

test('a double click makes one case: the second identical filing is 409 FILING_DUPLICATE with the first’s id', async () => {
  const headers = await as('lixiuying');
  const form = temporaryForm(addDays(cstDate(Date.now()), 50), { mdtrtarea_admdvs: '460000' });
  const both = await Promise.all([
    request(app).post('/api/v1/filings').set(headers).send(form),
    request(app).post('/api/v1/filings').set(headers).send(form),
  ]);
  const accepted = both.filter((r) => r.status === 202);
  const refused = both.filter((r) => r.status === 409);
  expect(accepted).toHaveLength(1);
  expect(refused).toHaveLength(1);
  expect(refused[0]?.body).toMatchObject({
    code: 'FILING_DUPLICATE',
    title: '已有相同的备案',
    existing_id: accepted[0]?.body.id,
  });
  expect(refused[0]?.body.detail).toMatch(/\d{4}年\d{1,2}月\d{1,2}日/);
  // Another start date is another filing.
  await request(app)
    .post('/api/v1/filings')
    .set(headers)
    .send({ ...form, begndate: addDays(form.begndate as string, 1) })
    .expect(202);
});

test('a second long-term filing is 409 telling the citizen to change (变更) the existing one', async () => {
  const headers = await as('wangfang');
  const existing = await orm.em
    .fork()
    .findOneOrFail(Filing, { psn_no: 'P46000000000001', category: 'long_term_residence' });
  const res = await request(app)
    .post('/api/v1/filings')
    .set(headers)
    .send({
      category: 'retired_resettled',
      mdtrtarea_admdvs: '440300',
      begndate: addDays(cstDate(Date.now()), 3),
      tel: '13800000003',
      commitment: true,
    })
    .expect(409);
  expect(res.body).toMatchObject({ code: 'LONG_TERM_FILING_EXISTS', existing_id: existing.id });
  expect(res.body.detail).toMatch(/变更/);
});

test('a second open referral to the same place is 409 REFERRAL_DUPLICATE with the open one’s id', async () => {
  // liuyang's referral to 成都 from the idempotency test is still under review.
  const open = await orm.em
    .fork()
    .findOneOrFail(Filing, { psn_no: 'P32030000000001', category: 'referral', mdtrtarea_admdvs: '510100' });
  const res = await request(app)
    .post('/api/v1/filings')
    .set(await as('liuyang'))
    .send({ ...referralForm(), begndate: addDays(cstDate(Date.now()), 7) })
    .expect(409);
  expect(res.body).toMatchObject({ code: 'REFERRAL_DUPLICATE', existing_id: open.id });
});

test('a repeat whose first request never answers is told 409 IDEMPOTENCY_IN_FLIGHT with Retry-After', async () => {
  // The first request stored its record and has not answered (still working, on another process).
  const form = temporaryForm(addDays(cstDate(Date.now()), 60), { mdtrtarea_admdvs: '310000' });
  const user = await orm.em.fork().findOneOrFail(User, { username: 'liuyang' });
  await orm.em.fork().insert(IdempotencyRecord, {
    key: 'first-still-running',
    user_id: user.id,
    request_hash: requestHash(form),
    case_id: 'filing-P32030000000001-inflight',
    status: null,
    response: null,
    created_at: new Date(),
  });
  const res = await request(app)
    .post('/api/v1/filings')
    .set(await as('liuyang'))
    .set('Idempotency-Key', 'first-still-running')
    .send(form)
    .expect(409);
  expect(res.body).toMatchObject({ code: 'IDEMPOTENCY_IN_FLIGHT', title: '相同的请求正在处理中' });
  expect(res.headers['retry-after']).toMatch(/^\d+$/);
  expect(
    await orm.em.fork().count(Filing, { psn_no: 'P32030000000001', begndate: form.begndate as string }),
  ).toBe(0);
});

test('junk in list queries is a 400 naming the parameter, never a 5xx', async () => {
  const staff = await as('staff-ah');
  for (const query of [
    'page=1e20',
    'page=-1',
    'page_size=0',
    'status=%00',
    'psn_no=%00',
    'psn_no=x%ud800',
    'mine=maybe',
  ]) {
    const res = await request(app).get(`/api/v1/tasks?${query}`).set(staff);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
  }
  const res = await request(app).get('/api/v1/filings?page=1e20').set(staff).expect(400);
  expect(res.body.errors[0]).toMatchObject({ path: 'page', message: expect.stringMatching(/^页码：/) });
});
