import type { Express } from 'express';
import fc from 'fast-check';
import request from 'supertest';
import { INFCODES } from '../../api/infcodes';
import { PROBLEM_CODES } from '../../api/problem-codes';
import { isoToCst } from '../../api/schemas/national';
import { TRANSACTION_INFNOS } from '../../api/schemas/transactions';
import { HospitalMessage } from '../../db/entities';
import type { Orm } from '../../db/orm';
import { withCheckDigit } from '../../db/seed-data';
import { activeFilingToChengdu, envelope, newMsgid, send } from '../support/his';
import { junkText, junkValue, wrongType } from '../support/junk';
import { startTestPlatform, type TestPlatform } from '../support/platform';

/**
 * Property-based fuzzing of `POST /api/v1/hospital/transactions`: every transaction's valid message
 * with one to three fields anywhere in it (envelope or input, at any depth) replaced by junk or
 * removed, or a body that is junk entirely. Each answer is the national envelope with a catalogued
 * infcode (HTTP 200, or 503/500 only for a dependency or our fault — never here), or a 4xx
 * problem+json for a body no envelope can be read from. Nothing half-written: no message is left
 * claimed without an answer, and every kept answer is the one that was sent.
 * Reproduce a failure with the seed fast-check prints: `YIDI_FUZZ_SEED=<seed> npx jest test/fuzz`.
 */

const RUNS = Number(process.env.YIDI_FUZZ_RUNS ?? 25);
const SEED = process.env.YIDI_FUZZ_SEED === undefined ? undefined : Number(process.env.YIDI_FUZZ_SEED);

let p: TestPlatform;
let orm: Orm;
let app: Express;
let his: { Authorization: string };
let mdtrt_id = '';

const PSN = { psn_no: 'P46000000000001', certno: withCheckDigit('46010019720921002') };
const now = () => isoToCst(new Date());

beforeAll(async () => {
  p = await startTestPlatform({ tokenSecret: 'fuzz-secret' });
  ({ orm, app } = p);
  his = await p.as('hosp-huaxi');
  await activeFilingToChengdu(p, 'wangfang', PSN.psn_no);
  const admitted = await send(app, his, envelope('2401', inputs()['2401']));
  expect(admitted.answer.infcode).toBe(0);
  mdtrt_id = (admitted.answer.output as { result: { mdtrt_id: string } }).result.mdtrt_id;
}, 120_000);

afterAll(async () => {
  await p?.close();
});

/** A valid input per transaction, on the fixture stay. */
function inputs(): Record<(typeof TRANSACTION_INFNOS)[number], Record<string, unknown>> {
  const ref = { mdtrt_id, psn_no: PSN.psn_no };
  const diseinfo = [
    { diag_type: '1', diag_srt_no: 1, diag_code: 'C34.901', diag_name: '肺恶性肿瘤', maindiag_flag: '1' },
  ];
  return {
    '1101': { data: { mdtrt_cert_type: '02', mdtrt_cert_no: PSN.certno } },
    '2401': {
      mdtrtinfo: {
        psn_no: PSN.psn_no,
        insutype: '390',
        mdtrt_cert_type: '02',
        mdtrt_cert_no: PSN.certno,
        med_type: '21',
        ipt_otp_no: `ZY${Date.now()}`,
        begntime: now(),
        chfpdr_name: '李医生',
      },
      diseinfo,
    },
    '2403': { adminfo: { ...ref, adm_dept_name: '胸外科' }, diseinfo },
    '2404': { data: ref },
    '2301': {
      feedetail: [
        {
          ...ref,
          feedetl_sn: '1',
          fee_ocur_time: now(),
          med_list_codg: 'SUR001',
          medins_list_codg: 'H-SUR001',
          det_item_fee_sumamt: '500.00',
          cnt: 1,
          pric: '500',
        },
      ],
    },
    '2302': { data: { ...ref, feedetl_sn: '1' } },
    '2303': { data: { ...ref, acct_used_flag: '0', mid_setl_flag: '0', medfee_sumamt: '0.0' } },
    '2402': { dscginfo: { ...ref, endtime: now(), dise_codg: 'C34.901', dise_name: '肺恶性肿瘤' }, diseinfo },
    '2405': { data: ref },
    '2304': { data: { ...ref, acct_used_flag: '0', mid_setl_flag: '0' } },
    '2305': { data: { ...ref, setl_id: `${mdtrt_id}S01` } },
  };
}

/** Every path to a leaf (and to each node) of a JSON value. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const children = Array.isArray(value)
    ? value.flatMap((v, i) => paths(v, [...prefix, i]))
    : Object.entries(value).flatMap(([k, v]) => paths(v, [...prefix, k]));
  return prefix.length === 0 ? children : [prefix, ...children];
}

function edited(valid: unknown, edits: [(string | number)[], unknown][]): unknown {
  const body = structuredClone(valid) as Record<string | number, unknown>;
  for (const [path, value] of edits) {
    let node = body;
    for (const key of path.slice(0, -1)) {
      const next = node[key];
      if (next === null || typeof next !== 'object') break;
      node = next as Record<string | number, unknown>;
    }
    const last = path[path.length - 1] as string | number;
    if (value === undefined) delete node[last];
    else node[last] = value;
  }
  return body;
}

/** A valid message with one to three fields anywhere replaced by junk or removed, or junk entirely. */
function mutated(valid: Record<string, unknown>) {
  const edit = fc.tuple(fc.constantFrom(...paths(valid)), fc.option(junkValue, { nil: undefined }));
  return fc.oneof(
    {
      weight: 5,
      arbitrary: fc.array(edit, { minLength: 1, maxLength: 3 }).map((edits) => edited(valid, edits)),
    },
    { weight: 1, arbitrary: fc.oneof(wrongType, junkText, fc.anything()) as fc.Arbitrary<unknown> },
  );
}

const INFCODE_NUMBERS = new Set<number>(Object.values(INFCODES).map((c) => c.infcode));
const PROBLEMS = new Set(Object.keys(PROBLEM_CODES));

async function post(infno: string, body: unknown): Promise<void> {
  // A fresh msgid unless the mutation changed it, so each message is a new one (not a reuse).
  const message =
    body &&
    typeof body === 'object' &&
    !Array.isArray(body) &&
    (body as { msgid?: unknown }).msgid === 'MSGID'
      ? { ...(body as object), msgid: newMsgid() }
      : body;
  const res = await request(app)
    .post('/api/v1/hospital/transactions')
    .set(his)
    .type('application/json')
    .send(JSON.stringify(message));
  if (res.status >= 500) {
    throw new Error(`${infno}: ${res.status} ${res.text.slice(0, 300)}\n${p.logs.slice(-3).join('\n')}`);
  }
  if (res.status >= 400) {
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(PROBLEMS.has(res.body.code)).toBe(true);
    return;
  }
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(INFCODE_NUMBERS.has(res.body.infcode)).toBe(true);
  expect(typeof res.body.err_msg).toBe('string');
  expect(res.body.output).toEqual(expect.any(Object));
  if (res.body.infcode !== 0) expect(res.body.err_msg).not.toBe('');
}

// 2404 last: a valid one cancels the fixture stay, which the others should reach first.
const ORDER = [...TRANSACTION_INFNOS.filter((i) => i !== '2404'), '2404' as const];

test.each(ORDER)('%s: malformed messages are answered in the envelope, never a 5xx', async (infno) => {
  const valid = envelope(infno, inputs()[infno], { msgid: 'MSGID' });
  await fc
    .assert(
      fc.asyncProperty(mutated(valid), (body) => post(infno, body)),
      { numRuns: RUNS, seed: SEED, endOnFailure: true, includeErrorInReport: true },
    )
    .catch((error: unknown) => {
      throw new Error(`${infno}: ${error instanceof Error ? error.message : String(error)}`);
    });
});

test('nothing half-written: every message claimed was answered (or given back), each kept answer as it was sent', async () => {
  const rows = await orm.em.fork().find(HospitalMessage, {});
  expect(rows.length).toBeGreaterThan(TRANSACTION_INFNOS.length);
  const stuck = rows.filter((r) => r.status === 'pending' && r.claimed_at !== null);
  expect(stuck).toEqual([]);
  for (const row of rows.filter((r) => r.status === 'answered')) {
    expect(JSON.parse(row.answer ?? '').infcode).toBe(row.infcode);
  }
});
