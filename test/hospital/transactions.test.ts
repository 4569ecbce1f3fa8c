import request from 'supertest';
import { signToken } from '../../api/auth/tokens';
import { requestHash } from '../../api/idempotency';
import { INFCODE_LIST, INFCODES } from '../../api/infcodes';
import { Output1101, TRANSACTION_INFNOS } from '../../api/schemas/transactions';
import { HospitalMessage } from '../../db/entities';
import { withCheckDigit } from '../../db/seed-data';
import {
  activeFilingToChengdu,
  envelope,
  HUAXI,
  hisPlatform,
  send,
  storedMessage,
  WANGFANG,
} from '../support/his';

/**
 * The hospital transactions route on the real platform (PostgreSQL, devserver, worker), for what does
 * not need a stay: the envelope, the hospital's identity, 1101, refusals naming the field, unknown
 * stays, and idempotency by msgid. The stay's own transactions are in stay-path.test.ts.
 */

const p = hisPlatform();

const card = (certno = WANGFANG.certno) => ({
  data: { mdtrt_cert_type: '02', mdtrt_cert_no: certno, card_sn: '' },
});

test('only a hospital may send: 401 without a token, 403 for another role (problem+json, no envelope to answer in)', async () => {
  await request(p.app).post('/api/v1/hospital/transactions').send(envelope('1101', card())).expect(401);
  const res = await request(p.app)
    .post('/api/v1/hospital/transactions')
    .set(await p.as('wangfang'))
    .send(envelope('1101', card()))
    .expect(403);
  expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  const junk = await request(p.app)
    .post('/api/v1/hospital/transactions')
    .set(p.his)
    .set('content-type', 'application/json')
    .send('{"infno": "1101",')
    .expect(400);
  expect(junk.body.code).toBe('MALFORMED_JSON');
});

test('1101: the person by their ID card, with the filings for this hospital’s province; every field there, never null', async () => {
  await activeFilingToChengdu(p, 'wangfang', WANGFANG.psn_no);

  const { status, answer } = await send(p.app, p.his, envelope('1101', card()));
  expect(status).toBe(200);
  expect(answer).toMatchObject({ infcode: 0, err_msg: '' });
  expect(answer.inf_refmsgid).toMatch(/^510100\d{24}$/);
  expect(answer.respond_time).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/);
  expect(answer.output).toMatchObject({
    baseinfo: {
      psn_no: WANGFANG.psn_no,
      psn_name: '王芳',
      certno: WANGFANG.certno,
      gend: '2',
      brdy: '1972-09-21',
    },
    insuinfo: [
      { insutype: '390', psn_type: '11', psn_insu_stas: '1', insuplc_admdvs: '460000', balc: '0.00' },
    ],
    idetinfo: [],
    filinfo: [
      {
        fil_type: 'other_temporary',
        fil_stas: 'ACTIVE',
        mdtrtarea_admdvs: '510100',
        enddate: expect.any(String),
      },
    ],
  });
  expect(Output1101.safeParse(answer.output).success).toBe(true);
  expect(JSON.stringify(answer)).not.toContain('null');
});

test('a refusal is HTTP 200 with a non-zero infcode and a Chinese err_msg naming the field', async () => {
  const noMsgid = await send(p.app, p.his, { ...envelope('1101', card()), msgid: undefined });
  expect(noMsgid.status).toBe(200);
  expect(noMsgid.answer).toMatchObject({ infcode: INFCODES.ENVELOPE_INVALID.infcode, output: {} });
  expect(noMsgid.answer.err_msg).toMatch(/^msgid: /);

  const unknown = await send(p.app, p.his, envelope('9901', {}));
  expect(unknown.answer.infcode).toBe(INFCODES.INFNO_UNSUPPORTED.infcode);
  expect(unknown.answer.err_msg).toContain('2401');

  const other = await send(p.app, p.his, envelope('1101', card(), { fixmedins_code: 'H31000000001' }));
  expect(other.answer.infcode).toBe(INFCODES.FIXMEDINS_MISMATCH.infcode);
  expect(other.answer.err_msg).toMatch(/^fixmedins_code: .*H31000000001.*H51010000001/);
  const elsewhere = await send(p.app, p.his, envelope('1101', card(), { mdtrtarea_admvs: '310000' }));
  expect(elsewhere.answer.infcode).toBe(INFCODES.FIXMEDINS_MISMATCH.infcode);
  expect(elsewhere.answer.err_msg).toMatch(/^mdtrtarea_admvs: /);

  const nobody = await send(p.app, p.his, envelope('1101', card(withCheckDigit('11010119900101999'))));
  expect(nobody.answer).toMatchObject({ infcode: INFCODES.PERSON_NOT_FOUND.infcode, output: {} });
  expect(nobody.answer.err_msg).toContain('身份证号');

  const badLine = await send(
    p.app,
    p.his,
    envelope('2301', {
      feedetail: [fee('1', '10.00', '1', '10'), fee('2', '-3.00', '1', '3'), fee('3', '20.00', '2', '10.01')],
    }),
  );
  expect(badLine.answer.infcode).toBe(INFCODES.INPUT_INVALID.infcode);
  expect(badLine.answer.err_msg).toBe(
    'feedetail[1].det_item_fee_sumamt: 不能为负数（收到 -3.00）；feedetail[2].det_item_fee_sumamt: 明细金额 20.00 与数量 × 单价 = 20.02 不符（允许 ±0.01）',
  );
});

const fee = (sn: string, sumamt: string, cnt: string, pric: string, mdtrt_id = '5101002026030100000001') => ({
  feedetl_sn: sn,
  mdtrt_id,
  psn_no: WANGFANG.psn_no,
  fee_ocur_time: '2026-03-01 09:00:00',
  med_list_codg: 'BED001',
  medins_list_codg: 'H-BED-001',
  det_item_fee_sumamt: sumamt,
  cnt,
  pric,
});

test('a stay that is not this hospital’s admission, or not this person’s, is answered as unknown', async () => {
  // Another hospital's admission of the same person.
  await storedMessage(p.orm, {
    fixmedins_code: 'H51010000002',
    msgid: 'H51010000002-admission-1',
    infno: '2401',
    request_hash: 'x'.repeat(64),
    status: 'answered',
    mdtrt_id: '5101002026030199999999',
    psn_no: WANGFANG.psn_no,
    infcode: 0,
    answer: '{}',
  });
  for (const [mdtrt_id, psn_no] of [
    ['5101002026030199999999', WANGFANG.psn_no],
    ['5101002026030100000404', WANGFANG.psn_no],
  ]) {
    const { answer } = await send(
      p.app,
      p.his,
      envelope('2302', { data: { mdtrt_id, psn_no, feedetl_sn: '0000' } }),
    );
    expect(answer).toMatchObject({ infcode: INFCODES.STAY_NOT_FOUND.infcode, output: {} });
    expect(answer.err_msg).toContain(mdtrt_id);
  }
  // The other hospital itself finds it: the lookup is by hospital, not a global one.
  const other = signToken(p.cases.tokenSecret, {
    id: '00000000-0000-4000-8000-000000000002',
    username: 'hosp-third',
    display_name: '成都市第三人民医院 医保办',
    role: 'hospital',
    prov_admdvs: null,
    psn_no: null,
    fixmedins_code: 'H51010000002',
  });
  const wrongPerson = await send(
    p.app,
    { Authorization: `Bearer ${other}` },
    envelope(
      '2405',
      { data: { mdtrt_id: '5101002026030199999999', psn_no: 'P34010000000001' } },
      { fixmedins_code: 'H51010000002' },
    ),
  );
  expect(wrongPerson.answer.infcode).toBe(INFCODES.STAY_NOT_FOUND.infcode);
});

describe('idempotent by msgid', () => {
  test('a retried message gets the first answer byte for byte; the same msgid with another body is refused', async () => {
    const message = envelope('1101', card());
    const first = await send(p.app, p.his, message);
    const again = await send(p.app, p.his, message);
    expect(again.text).toBe(first.text);
    const reused = await send(p.app, p.his, { ...message, input: card(withCheckDigit('34010219800312001')) });
    expect(reused.answer.infcode).toBe(INFCODES.MSGID_REUSED.infcode);
    expect(reused.answer.err_msg).toContain(message.msgid as string);
    // The refusal did not replace the first answer.
    expect((await send(p.app, p.his, message)).text).toBe(first.text);

    // A refusal is an answer too: kept, and replayed.
    const bad = envelope('2301', { feedetail: [fee('1', '10.00', '3', '10')] });
    const refused = await send(p.app, p.his, bad);
    expect(refused.answer.infcode).toBe(INFCODES.INPUT_INVALID.infcode);
    expect((await send(p.app, p.his, bad)).text).toBe(refused.text);
    const row = await p.orm.em.fork().findOneOrFail(HospitalMessage, { msgid: bad.msgid as string });
    expect(row).toMatchObject({
      status: 'answered',
      infcode: INFCODES.INPUT_INVALID.infcode,
      answer: refused.text,
    });
  });

  test('identical messages at once: one is worked on, the others wait for its answer', async () => {
    const message = envelope('1101', card());
    const answers = await Promise.all(Array.from({ length: 8 }, () => send(p.app, p.his, message)));
    expect(new Set(answers.map((a) => a.text)).size).toBe(1);
    expect(answers[0]?.answer.infcode).toBe(0);
    expect(await p.orm.em.fork().count(HospitalMessage, { msgid: message.msgid as string })).toBe(1);
  });

  test('a message whose first request gave up (claim released) is taken over by its retry', async () => {
    const message = envelope('1101', card());
    await storedMessage(p.orm, {
      fixmedins_code: HUAXI.fixmedins_code,
      msgid: message.msgid as string,
      infno: '1101',
      request_hash: requestHash(message),
      claimed_at: null,
    });
    const { answer, text } = await send(p.app, p.his, message);
    expect(answer.infcode).toBe(0);
    const row = await p.orm.em.fork().findOneOrFail(HospitalMessage, { msgid: message.msgid as string });
    expect(row).toMatchObject({ status: 'answered', answer: text, psn_no: WANGFANG.psn_no });
  });

  test('a retry while the first is still working waits, then says so (nothing kept, the first goes on)', async () => {
    const message = envelope('1101', card());
    await storedMessage(p.orm, {
      fixmedins_code: HUAXI.fixmedins_code,
      msgid: message.msgid as string,
      infno: '1101',
      request_hash: requestHash(message),
      claimed_at: new Date(),
    });
    const { status, answer } = await send(p.app, p.his, message);
    expect(status).toBe(200);
    expect(answer.infcode).toBe(INFCODES.MSGID_IN_FLIGHT.infcode);
    const row = await p.orm.em.fork().findOneOrFail(HospitalMessage, { msgid: message.msgid as string });
    expect(row.status).toBe('pending');
  });
});

test('the OpenAPI document has every transaction with its input and output, and every infcode', async () => {
  const doc = (await request(p.app).get('/api/v1/openapi.json').expect(200)).body;
  const op = doc.paths['/api/v1/hospital/transactions'].post;
  const inputs = op.requestBody.content['application/json'].schema.oneOf;
  const outputs = op.responses['200'].content['application/json'].schema.oneOf;
  expect(inputs.map((v: { title: string }) => v.title.slice(0, 4)).sort()).toEqual(
    [...TRANSACTION_INFNOS].sort(),
  );
  expect(outputs).toHaveLength(TRANSACTION_INFNOS.length);
  for (const variant of [...inputs, ...outputs]) {
    const node = variant.allOf[1].properties.input ?? variant.allOf[1].properties.output;
    expect(doc.components.schemas[node.$ref.split('/').pop()]).toBeDefined();
  }
  expect(op['x-infcodes'].map((c: { name: string }) => c.name)).toEqual(INFCODE_LIST);
  expect(op.description).toContain('| 1004 | INPUT_INVALID | 200 |');
});
