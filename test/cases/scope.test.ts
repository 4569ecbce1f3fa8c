import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import { type AuthUser, signToken } from '../../api/auth/tokens';
import {
  canSeeFiling,
  canSeeTask,
  MASKING,
  maskCertno,
  maskName,
  maskTel,
  PII_FIELDS,
  present,
} from '../../api/scope';
import { cstDate } from '../../cases/calendar';
import { Filing, HumanTask, ROLES, User } from '../../db/entities';
import type { Orm } from '../../db/orm';
import { demoPersons, withCheckDigit } from '../../db/seed-data';
import { eventually } from '../support/eventually';
import { startTestPlatform, type TestPlatform } from '../support/platform';

/**
 * Who sees what, route by route: two cases of two provinces, read by citizens, staff and supervisors of
 * three provinces, coordinators of the insured and the treatment side, and a hospital.
 */

let p: TestPlatform;
let orm: Orm;
let app: Express;

// Case A: 张伟, insured in 安徽 (340000), referred to 华西医院 in 成都 (四川, 510000); a review task opens.
// Case B: 王芳, insured in 海南 (460000), temporarily in 上海 (310000); no review.
const A = { tel: '13812345678', id: '', task: '' };
const B = { tel: '13987654321', addr: '上海市徐汇区宛平南路600号', id: '' };
const certOf = (psn_no: string) => withCheckDigit(demoPersons.find((p) => p.psn_no === psn_no)!.certno17);
const PSN_A = 'P34010000000001';
const PSN_B = 'P46000000000001';

const as = (username: string) => p.as(username);

beforeAll(async () => {
  p = await startTestPlatform();
  ({ orm, app } = p);

  const a = await request(app)
    .post('/api/v1/filings')
    .set(await as('zhangwei'))
    .send({
      category: 'referral',
      mdtrtarea_admdvs: '510100',
      fixmedins_code: 'H51010000001',
      begndate: cstDate(Date.now()),
      tel: A.tel,
      referral: { refl_fil_type: '1', diag_name: '肺恶性肿瘤', refl_hosp_name: '合肥市第一人民医院' },
    })
    .expect(202);
  A.id = a.body.id;
  const b = await request(app)
    .post('/api/v1/filings')
    .set(await as('wangfang'))
    .send({
      category: 'other_temporary',
      mdtrtarea_admdvs: '310000',
      begndate: cstDate(Date.now()),
      tel: B.tel,
      addr: B.addr,
    })
    .expect(202);
  B.id = b.body.id;
  A.task = (
    await eventually(
      async () => (await orm.em.fork().findOne(HumanTask, { case_id: A.id, status: 'open' })) ?? undefined,
    )
  ).id;
  await eventually(async () =>
    (await orm.em.fork().findOne(Filing, { id: B.id }))?.status === 'ACTIVE' ? true : undefined,
  );
}, 180_000);
afterAll(async () => {
  await p?.close();
});

/**
 * - visible: answered, personal data in full;
 * - masked: answered, phone and address masked (the raw values appear nowhere in the body);
 * - 404: answered exactly as a row that does not exist;
 * - 403: a route the role never uses (FORBIDDEN_ROLE for any id, so it reveals nothing).
 */
type Seen = 'visible' | 'masked' | '404' | '403';

const CITIZENS = ['zhangwei', 'lixiuying', 'wangfang'];
const STAFF = ['staff-ah', 'super-ah', 'staff-hi', 'super-hi', 'staff-js'];
const COORDINATORS = ['coord-ah', 'coord-hi', 'coord-sc'];
const USERS = [...CITIZENS, ...STAFF, ...COORDINATORS, 'hosp-huaxi'];

/** Who sees case A, case B and A's review task (the 安徽 staff side). */
const CASES: Record<string, { A: Seen; B: Seen; task: Seen }> = {
  zhangwei: { A: 'visible', B: '404', task: '403' },
  lixiuying: { A: '404', B: '404', task: '403' },
  wangfang: { A: '404', B: 'visible', task: '403' },
  'staff-ah': { A: 'visible', B: '404', task: 'visible' },
  'super-ah': { A: 'visible', B: '404', task: 'visible' },
  'staff-hi': { A: '404', B: 'visible', task: '404' },
  'super-hi': { A: '404', B: 'visible', task: '404' },
  'staff-js': { A: '404', B: '404', task: '404' },
  // The insured side and the treatment side of a case; never a third province.
  'coord-ah': { A: 'masked', B: '404', task: '404' },
  'coord-hi': { A: '404', B: 'masked', task: '404' },
  'coord-sc': { A: 'masked', B: '404', task: '404' },
  // No stays admitted yet, so no case: only the person look-up below.
  'hosp-huaxi': { A: '404', B: '404', task: '403' },
};

/** Who sees the insured persons of case A (张伟) and B (王芳): staff with the resident ID masked. */
const PERSONS: Record<string, { A: Seen; B: Seen }> = {
  zhangwei: { A: 'visible', B: '404' },
  lixiuying: { A: '404', B: '404' },
  wangfang: { A: '404', B: 'visible' },
  'staff-ah': { A: 'masked', B: '404' },
  'super-ah': { A: 'masked', B: '404' },
  'staff-hi': { A: '404', B: 'masked' },
  'super-hi': { A: '404', B: 'masked' },
  'staff-js': { A: '404', B: '404' },
  'coord-ah': { A: '404', B: '404' },
  'coord-hi': { A: '404', B: '404' },
  'coord-sc': { A: '404', B: '404' },
  'hosp-huaxi': { A: '404', B: '404' },
};

/** The answer for a row that does not exist, with the id put back: what an invisible row must equal. */
async function missingLike(
  method: 'get' | 'post',
  url: string,
  id: string,
  body: object,
  headers: Record<string, string>,
) {
  const missing = `missing-${id}`;
  const res = await request(app)[method](url.replace(id, missing)).set(headers).send(body).expect(404);
  return { ...res.body, detail: (res.body.detail as string).replace(missing, id) };
}

async function expectSeen(
  seen: Seen,
  res: request.Response,
  raw: string[],
  missing: () => Promise<unknown>,
): Promise<void> {
  const text = JSON.stringify(res.body);
  switch (seen) {
    case 'visible':
      expect(res.status).toBe(200);
      for (const value of raw) expect(text).toContain(value);
      break;
    case 'masked':
      expect(res.status).toBe(200);
      for (const value of raw) expect(text).not.toContain(value);
      break;
    case '404':
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body).toEqual(await missing());
      break;
    case '403':
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('FORBIDDEN_ROLE');
  }
}

const rawOf = (c: 'A' | 'B') => (c === 'A' ? [A.tel] : [B.tel, B.addr]);

describe.each(USERS)('%s', (username) => {
  const expected = CASES[username]!;

  test.each(['A', 'B'] as const)('GET /filings lists case %s only when visible', async (c) => {
    const res = await request(app)
      .get('/api/v1/filings?page_size=100')
      .set(await as(username))
      .expect(200);
    const ids = res.body.items.map((f: { id: string }) => f.id);
    const id = c === 'A' ? A.id : B.id;
    if (expected[c] === 'visible' || expected[c] === 'masked') expect(ids).toContain(id);
    else expect(ids).not.toContain(id);
  });

  test.each(['A', 'B'] as const)('GET /filings/{id} of case %s', async (c) => {
    const id = c === 'A' ? A.id : B.id;
    const headers = await as(username);
    const res = await request(app).get(`/api/v1/filings/${id}`).set(headers);
    await expectSeen(expected[c], res, rawOf(c), () =>
      missingLike('get', `/api/v1/filings/${id}`, id, {}, headers),
    );
    if (res.status !== 200) return;
    // The timeline comes with the case; the tasks only for the side that works on them.
    expect(res.body.timeline.map((e: { kind: string }) => e.kind)).toContain('submitted');
    const taskIds = res.body.tasks.map((t: { id: string }) => t.id);
    if (c === 'A' && expected.task === 'visible') expect(taskIds).toContain(A.task);
    else expect(taskIds).toEqual([]);
    if (expected[c] === 'masked') {
      expect(res.body.filing.form.tel).toBe(maskTel(rawOf(c)[0]!));
      if (c === 'A') expect(res.body.referral.summary.tel).toBe('138****5678');
      if (c === 'B') expect(res.body.filing.form.addr).toBe('上海市徐汇区****');
    }
  });

  test('GET /tasks lists A’s review task only for its side', async () => {
    const res = await request(app)
      .get('/api/v1/tasks?status=open&page_size=100')
      .set(await as(username));
    if (expected.task === '403') return void expect(res.status).toBe(403);
    expect(res.status).toBe(200);
    const ids = res.body.items.map((t: { id: string }) => t.id);
    if (expected.task === 'visible') expect(ids).toContain(A.task);
    else expect(ids).toEqual([]);
  });

  test('GET /tasks/{id} of A’s review task', async () => {
    const headers = await as(username);
    const res = await request(app).get(`/api/v1/tasks/${A.task}`).set(headers);
    await expectSeen(expected.task, res, [A.tel], () =>
      missingLike('get', `/api/v1/tasks/${A.task}`, A.task, {}, headers),
    );
  });

  test.each(['A', 'B'] as const)('GET /persons/{psn_no} of case %s’s person', async (c) => {
    const psn_no = c === 'A' ? PSN_A : PSN_B;
    const headers = await as(username);
    const res = await request(app).get(`/api/v1/persons/${psn_no}`).set(headers);
    await expectSeen(PERSONS[username]![c], res, [certOf(psn_no)], () =>
      missingLike('get', `/api/v1/persons/${psn_no}`, psn_no, {}, headers),
    );
    if (res.status !== 200) return;
    expect(res.body).toMatchObject({ psn_no, psn_name: c === 'A' ? '张伟' : '王芳' });
    expect(res.body.certno).toMatch(/^\d{4}/);
    if (PERSONS[username]![c] === 'masked') expect(res.body.certno).toBe(maskCertno(certOf(psn_no)));
  });

  test('GET /admdvs: region names for every logged-in user', async () => {
    const res = await request(app)
      .get('/api/v1/admdvs')
      .set(await as(username))
      .expect(200);
    expect(res.body.items.length).toBeGreaterThan(0);
  });

  test('GET /hospital/persons/{psn_no}: hospitals only', async () => {
    const res = await request(app)
      .get(`/api/v1/hospital/persons/${PSN_A}?mdtrt_cert_no=${certOf(PSN_A)}`)
      .set(await as(username));
    expect(res.status).toBe(username === 'hosp-huaxi' ? 200 : 403);
  });
});

/** Acting on a row out of scope is refused as if it did not exist, and changes nothing. */
const ACTIONS: { username: string; url: () => string; id: () => string; body: object }[] = [
  { username: 'staff-hi', url: () => `/api/v1/tasks/${A.task}/claim`, id: () => A.task, body: {} },
  { username: 'super-hi', url: () => `/api/v1/tasks/${A.task}/release`, id: () => A.task, body: {} },
  {
    username: 'staff-js',
    url: () => `/api/v1/tasks/${A.task}/decision`,
    id: () => A.task,
    body: { decision: 'approve' },
  },
  { username: 'staff-hi', url: () => `/api/v1/filings/${A.id}/revoke`, id: () => A.id, body: { memo: 'x' } },
  { username: 'lixiuying', url: () => `/api/v1/filings/${A.id}/change`, id: () => A.id, body: { memo: 'x' } },
  {
    username: 'lixiuying',
    url: () => `/api/v1/filings/${A.id}/cancel`,
    id: () => A.id,
    body: { reason: 'x' },
  },
  {
    username: 'wangfang',
    url: () => `/api/v1/filings/${A.id}/more-info`,
    id: () => A.id,
    body: { answer: 'x' },
  },
];

test.each(ACTIONS.map((a) => [a.username, a] as const))(
  '%s acting on another’s case or task: 404 as for a missing one',
  async (_name, action) => {
    const headers = await as(action.username);
    const res = await request(app).post(action.url()).set(headers).send(action.body);
    await expectSeen('404', res, [], () =>
      missingLike('post', action.url(), action.id(), action.body, headers),
    );
    const task = await orm.em.fork().findOneOrFail(HumanTask, { id: A.task });
    expect(task).toMatchObject({ status: 'open', assignee: null, decision: null });
    expect((await orm.em.fork().findOneOrFail(Filing, { id: A.id })).status).not.toMatch(/CANCELLED|REVOKED/);
  },
);

describe('hospital person look-up', () => {
  test('the matching certificate gives the filing status for the hospital’s province, nothing personal', async () => {
    const res = await request(app)
      .get(`/api/v1/hospital/persons/${PSN_A}?mdtrt_cert_no=${certOf(PSN_A)}`)
      .set(await as('hosp-huaxi'))
      .expect(200);
    expect(res.body).toEqual({
      psn_no: PSN_A,
      filings: [
        {
          category: 'referral',
          status: expect.any(String),
          mdtrtarea_admdvs: '510100',
          begndate: expect.any(String),
          enddate: null,
        },
      ],
    });
    // 王芳's filing is for 上海, not for a 四川 hospital.
    const b = await request(app)
      .get(`/api/v1/hospital/persons/${PSN_B}?mdtrt_cert_no=${certOf(PSN_B)}`)
      .set(await as('hosp-huaxi'))
      .expect(200);
    expect(b.body).toEqual({ psn_no: PSN_B, filings: [] });
  });

  test('a wrong certificate is answered exactly like an unknown person', async () => {
    const headers = await as('hosp-huaxi');
    const wrong = await request(app)
      .get(`/api/v1/hospital/persons/${PSN_A}?mdtrt_cert_no=${certOf(PSN_B)}`)
      .set(headers)
      .expect(404);
    const unknown = await request(app)
      .get(`/api/v1/hospital/persons/P00000000000000?mdtrt_cert_no=${certOf(PSN_B)}`)
      .set(headers)
      .expect(404);
    expect(wrong.body).toEqual({
      ...unknown.body,
      detail: unknown.body.detail.replace('P00000000000000', PSN_A),
    });
    const none = await request(app).get(`/api/v1/hospital/persons/${PSN_A}`).set(headers).expect(400);
    expect(none.body.errors[0].path).toBe('mdtrt_cert_no');
  });
});

test('lists filter in SQL: totals count only visible rows, and agree with canSee for every user and row', async () => {
  const em = orm.em.fork();
  const filings = await em.find(Filing, {});
  const tasks = await em.find(HumanTask, {});
  expect(filings.length).toBeGreaterThanOrEqual(2);
  for (const user of await em.find(User, {})) {
    const headers = await as(user.username);
    const auth = (await request(app).get('/api/v1/me').set(headers).expect(200)).body as AuthUser;
    const page = await request(app).get('/api/v1/filings?page_size=1').set(headers).expect(200);
    expect(page.body.items.length).toBeLessThanOrEqual(1);
    expect({ user: user.username, total: page.body.total }).toEqual({
      user: user.username,
      total: filings.filter((f) => canSeeFiling(auth, f)).length,
    });
    if (user.role !== 'staff' && user.role !== 'supervisor') continue;
    const queue = await request(app).get('/api/v1/tasks?status=open&page_size=1').set(headers).expect(200);
    expect({ user: user.username, total: queue.body.total }).toEqual({
      user: user.username,
      total: tasks.filter((t) => t.status === 'open' && canSeeTask(auth, t)).length,
    });
  }
});

test.each([...ROLES])(
  'a %s without its scope field (province, psn_no, hospital) sees nothing',
  async (role) => {
    const token = signToken('test-secret', {
      id: crypto.randomUUID(),
      username: `no-scope-${role}`,
      display_name: 'x',
      role,
      prov_admdvs: null,
      psn_no: null,
      fixmedins_code: null,
    });
    const headers = { Authorization: `Bearer ${token}` };
    const filings = await request(app).get('/api/v1/filings').set(headers).expect(200);
    expect(filings.body).toMatchObject({ items: [], total: 0 });
    await request(app).get(`/api/v1/filings/${A.id}`).set(headers).expect(404);
    await request(app).get(`/api/v1/persons/${PSN_A}`).set(headers).expect(404);
    const tasks = await request(app).get('/api/v1/tasks?status=open').set(headers);
    if (tasks.status === 200) expect(tasks.body.total).toBe(0);
    else expect(tasks.status).toBe(403);
  },
);

describe('masking', () => {
  test('phone, certificate and name masks', () => {
    expect(maskTel('13812345678')).toBe('138****5678');
    expect(maskCertno('340102198003120011')).toBe('3401**********0011');
    expect(maskName('张伟')).toBe('张*');
    expect(maskName('欧阳娜娜')).toBe('欧***');
  });

  test.each([...ROLES])('present() applies the %s policy anywhere in a view, Dates untouched', (role) => {
    const user: AuthUser = {
      id: 'u',
      username: 'u',
      display_name: 'u',
      role,
      prov_admdvs: null,
      psn_no: null,
      fixmedins_code: null,
    };
    const at = new Date('2026-01-01T00:00:00Z');
    const raw = {
      psn_name: '张伟',
      tel: '13812345678',
      certno: '340102198003120011',
      addr: '安徽省合肥市蜀山区长江西路1号',
    };
    const shown = present({ items: [{ at, form: { ...raw, mdtrt_cert_no: raw.certno } }] }, user);
    const item = shown.items[0]!;
    expect(item.at).toBe(at);
    for (const field of PII_FIELDS) {
      if (MASKING[role][field] === 'shown') expect(item.form[field]).toBe(raw[field]);
      else expect(item.form[field]).not.toBe(raw[field]);
    }
    expect(item.form.mdtrt_cert_no).toBe(item.form.certno);
  });

  test('the README’s table says what MASKING does', () => {
    const readme = readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('| personal data |'));
    const [header, , ...rows] = section.split('\n');
    const roles = header!
      .split('|')
      .slice(2, -1)
      .map((c) => c.trim());
    expect([...roles].sort()).toEqual([...ROLES].sort());
    for (const field of PII_FIELDS) {
      const row = rows.find((r) => r.includes(`\`${field}\``));
      expect(row).toBeDefined();
      const cells = row!
        .split('|')
        .slice(2, -1)
        .map((c) => c.trim().split(' ')[0]);
      expect(Object.fromEntries(roles.map((r, i) => [r, cells[i]]))).toEqual(
        Object.fromEntries(ROLES.map((r) => [r, MASKING[r][field]])),
      );
    }
  });
});
