import type { Express } from 'express';
import request from 'supertest';
import { MAX_DOCUMENT_BYTES } from '../../api/cases/documents';
import { CaseDocument, Filing } from '../../db/entities';
import type { Orm } from '../../db/orm';
import { startTestPlatform, type TestPlatform } from '../support/platform';

let p: TestPlatform;
let orm: Orm;
let app: Express;
const FILING = 'filing-P34010000000001-1';

beforeAll(async () => {
  // Uploads never reach a workflow: a filing row is all they need.
  p = await startTestPlatform({ temporal: false });
  ({ orm, app } = p);
  const em = orm.em.fork();
  const now = new Date();
  em.create(Filing, {
    id: FILING,
    psn_no: 'P34010000000001',
    insuplc_admdvs: '340100',
    prov_admdvs: '340000',
    category: 'referral',
    status: 'UNDER_REVIEW',
    mdtrtarea_admdvs: '510100',
    fixmedins_code: null,
    begndate: '2026-12-01',
    enddate: null,
    commitment: false,
    deemed: false,
    retro: false,
    trt_dcla_detl_sn: null,
    effective_at: null,
    reason: null,
    memo: null,
    form: {},
    created_at: now,
    updated_at: now,
    projection_seq: 0,
  });
  await em.flush();
}, 120_000);
afterAll(async () => {
  await p?.close();
});

const as = (username: string) => p.as(username);
const stored = () => orm.em.fork().count(CaseDocument, { case_id: FILING });
const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(2000, 0x20), Buffer.from('\n%%EOF\n')]);

test('a citizen uploads a PDF to their case; it is listed with the case and given back as uploaded', async () => {
  const res = await request(app)
    .post(`/api/v1/filings/${FILING}/documents?name=${encodeURIComponent('病理报告.pdf')}`)
    .set(await as('zhangwei'))
    .set('content-type', 'application/pdf')
    .send(pdf)
    .expect(201);
  expect(res.body).toMatchObject({ name: '病理报告.pdf', content_type: 'application/pdf', size: pdf.length });
  expect(res.headers.location).toBe(`/api/v1/filings/${FILING}/documents/${res.body.id}`);

  const detail = await request(app)
    .get(`/api/v1/filings/${FILING}`)
    .set(await as('zhangwei'))
    .expect(200);
  expect(detail.body.documents).toEqual([expect.objectContaining({ id: res.body.id, name: '病理报告.pdf' })]);

  // Staff of the insured province read it; staff of another province do not even see it exists.
  const file = await request(app)
    .get(res.headers.location as string)
    .set(await as('staff-ah'))
    .buffer(true)
    .parse((r, done) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => done(null, Buffer.concat(chunks)));
    })
    .expect(200);
  expect(file.headers['content-type']).toBe('application/pdf');
  expect(Buffer.compare(file.body as Buffer, pdf)).toBe(0);
  await request(app)
    .get(res.headers.location as string)
    .set(await as('staff-hi'))
    .expect(404);
});

test('a wrong type, a renamed file, an empty or a too large one is refused in Chinese and nothing is stored', async () => {
  const before = await stored();
  const auth = await as('zhangwei');
  const upload = (type: string, body: Buffer) =>
    request(app)
      .post(`/api/v1/filings/${FILING}/documents?name=a.bin`)
      .set(auth)
      .set('content-type', type)
      .send(body);

  const text = await upload('text/plain', Buffer.from('hello')).expect(415);
  expect(text.body).toMatchObject({
    code: 'DOCUMENT_TYPE_NOT_ALLOWED',
    detail: '只能上传 PDF、JPG 或 PNG 文件',
  });
  expect(text.headers['content-type']).toMatch(/^application\/problem\+json/);
  // A PDF labelled as PNG is not a PNG.
  await upload('image/png', pdf).expect(415);
  await upload('application/pdf', Buffer.alloc(0)).expect(400);
  const large = Buffer.concat([Buffer.from('%PDF-'), Buffer.alloc(MAX_DOCUMENT_BYTES)]);
  const tooLarge = await upload('application/pdf', large).expect(413);
  expect(tooLarge.body).toMatchObject({ code: 'DOCUMENT_TOO_LARGE', detail: '单个文件不能超过 5 MB' });
  expect(await stored()).toBe(before);
});

test('only the citizen of the case uploads to it', async () => {
  const upload = async (username: string) =>
    request(app)
      .post(`/api/v1/filings/${FILING}/documents?name=x.pdf`)
      .set(await as(username))
      .set('content-type', 'application/pdf')
      .send(pdf);
  expect((await upload('lixiuying')).status).toBe(404);
  expect((await upload('staff-ah')).status).toBe(403);
});
