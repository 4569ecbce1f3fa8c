import type { Express } from 'express';
import fc from 'fast-check';
import request from 'supertest';
import { PROBLEM_CODES } from '../../api/problem-codes';
import { cstDate } from '../../cases/calendar';
import { Filing, HumanTask } from '../../db/entities';
import type { Orm } from '../../db/orm';
import { DEMO_PASSWORD } from '../../db/seed-data';
import { eventually } from '../support/eventually';
import { junkText, junkValue, wrongType } from '../support/junk';
import { startTestPlatform, type TestPlatform } from '../support/platform';

/**
 * Property-based fuzzing of every write route with malformed input: impossible dates, control
 * characters, lone surrogates, huge strings, wrong types, junk path ids and junk headers. Each answer
 * is a 4xx problem+json with a catalogued `code`, or an accepted request whose case then completes
 * (no filing left SUBMITTED by a projection that can never succeed). Never a 5xx.
 * Reproduce a failure with the seed fast-check prints: `YIDI_FUZZ_SEED=<seed> npx jest test/fuzz`.
 */

const RUNS = Number(process.env.YIDI_FUZZ_RUNS ?? 25);
const SEED = process.env.YIDI_FUZZ_SEED === undefined ? undefined : Number(process.env.YIDI_FUZZ_SEED);

let p: TestPlatform;
let orm: Orm;
let app: Express;
let logs: string[];
/** Fixtures the id-bearing routes are aimed at (besides junk ids). */
let activeFiling = '';
let referralFiling = '';
let task = '';

const bearer = async (username: string) => `Bearer ${await p.login(username)}`;

beforeAll(async () => {
  p = await startTestPlatform({ tokenSecret: 'fuzz-secret' });
  ({ orm, app, logs } = p);
  const citizen = await bearer('zhangwei');
  const active = await request(app)
    .post('/api/v1/filings')
    .set('Authorization', citizen)
    .send({ category: 'other_temporary', mdtrtarea_admdvs: '110000', begndate: today, tel: '13800000001' })
    .expect(202);
  activeFiling = active.body.id;
  const referral = await request(app)
    .post('/api/v1/filings')
    .set('Authorization', citizen)
    .send(validReferral)
    .expect(202);
  referralFiling = referral.body.id;
  task = (
    await eventually(
      async () => (await orm.em.fork().findOne(HumanTask, { case_id: referralFiling })) ?? undefined,
    )
  ).id;
}, 120_000);

afterAll(async () => {
  await p?.close();
});

const today = cstDate(Date.now());
const validReferral = {
  category: 'referral',
  mdtrtarea_admdvs: '510100',
  fixmedins_code: 'H51010000001',
  begndate: today,
  tel: '13800000001',
  referral: { refl_fil_type: '1', diag_name: '肺恶性肿瘤', refl_hosp_name: '合肥市第一人民医院' },
};

// ---- generators of malformed values (test/support/junk.ts) ----

/** A valid body with one to three fields replaced by junk (or removed), or a body that is junk entirely. */
function mutated(valid: Record<string, unknown>, extraFields: string[] = []) {
  const fields = [...Object.keys(valid), ...extraFields];
  const edit = fc.tuple(fc.constantFrom(...fields), fc.option(junkValue, { nil: undefined }));
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc.array(edit, { minLength: 1, maxLength: 3 }).map((edits) => {
        const body: Record<string, unknown> = structuredClone(valid);
        for (const [field, value] of edits) {
          if (value === undefined) delete body[field];
          else body[field] = value;
        }
        return body as unknown;
      }),
    },
    { weight: 1, arbitrary: fc.oneof(wrongType, junkText, fc.anything()) as fc.Arbitrary<unknown> },
  );
}

const percentJunk = fc
  .array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 6 })
  .map((bytes) => bytes.map((b) => `%${b.toString(16).padStart(2, '0')}`).join(''));
/** A path id: the fixture, or junk (percent-encoded text, raw bad percent escapes, huge, dots). */
const pathId = (fixture: () => string) =>
  fc.oneof(
    { weight: 2, arbitrary: fc.constant(null).map(() => fixture()) },
    {
      weight: 3,
      arbitrary: fc.oneof(junkText.filter((s) => s.length > 0).map(encodeURIComponentSafe), percentJunk),
    },
    { weight: 1, arbitrary: fc.constantFrom('%00', '%ff%fe', '%E0%A4%A', '..', '.', 'x'.repeat(5_000)) },
  );

function encodeURIComponentSafe(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return '%ed%a0%80'; // a lone surrogate cannot be encoded: send its raw UTF-8 bytes instead
  }
}

// Header values Node will send: visible ASCII and Latin-1 (no DEL, no controls).
const headerText = fc.string({
  unit: fc
    .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff }))
    .map((c) => String.fromCharCode(c)),
  maxLength: 200,
});
const junkHeaders = fc.record(
  {
    'Idempotency-Key': fc.oneof(headerText, fc.constant('x'.repeat(500)), fc.uuid()),
    'Content-Type': fc.constantFrom(
      'application/json',
      'application/json; charset=latin1',
      'application/json; charset=utf-16',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/json; charset=utf-8',
    ),
    'Content-Encoding': fc.constantFrom('gzip', 'br', 'identity', 'x-junk'),
    Authorization: headerText,
  },
  { requiredKeys: [] },
);

// ---- the property ----

const CODES = new Set(Object.keys(PROBLEM_CODES));
const accepted: { route: string; status: number; id?: string }[] = [];

async function send(
  route: string,
  path: string,
  username: string | null,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<void> {
  const req = request(app).post(path).type('application/json');
  if (username) req.set('Authorization', await bearer(username));
  for (const [name, value] of Object.entries(headers)) req.set(name, value);
  // As JSON text, so any value (a bare number, a lone surrogate escaped as \ud800) reaches the server.
  const res = await (body === undefined ? req : req.send(JSON.stringify(body)));
  if (res.status >= 500) {
    throw new Error(
      `${route}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}\n${logs.slice(-3).join('\n')}`,
    );
  }
  // 431: Node's HTTP parser refuses a >16 KB request line before the app sees it (no body to check).
  if (res.status === 431) return;
  if (res.status >= 400) {
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(CODES.has(res.body.code)).toBe(true);
    expect(res.body.status).toBe(res.status);
  } else {
    accepted.push({
      route,
      status: res.status,
      id: res.body?.case_id ?? res.body?.filing?.id ?? res.body?.id,
    });
  }
}

function assertRoute<Ts extends [unknown, ...unknown[]]>(name: string, property: fc.IAsyncProperty<Ts>) {
  // No shrinking (endOnFailure): the seed and the failing input are in the message to replay it.
  return fc
    .assert(property, { numRuns: RUNS, seed: SEED, endOnFailure: true, includeErrorInReport: true })
    .catch((error: unknown) => {
      throw new Error(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    });
}

test('login: malformed credentials are 4xx problems', async () => {
  await assertRoute(
    'login',
    fc.asyncProperty(mutated({ username: 'zhangwei', password: DEMO_PASSWORD }), (body) =>
      send('login', '/api/v1/auth/login', null, body),
    ),
  );
});

test('file: a malformed filing form or junk headers are 4xx problems, or the case completes', async () => {
  const form = { ...validReferral, category: 'other_temporary', referral: null, memo: '出差' };
  await assertRoute(
    'file',
    fc.asyncProperty(
      mutated(form, ['enddate', 'emergency_adm_date', 'retro', 'addr', 'commitment']),
      // Mostly clean headers, so most bodies reach validation; junk headers a third of the time.
      fc.oneof({ weight: 2, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: junkHeaders }),
      (body, headers) => send('file', '/api/v1/filings', 'lixiuying', body, headers),
    ),
  );
});

test('change, cancel and more-info: junk ids and malformed bodies are 4xx problems', async () => {
  await assertRoute(
    'change',
    fc.asyncProperty(
      pathId(() => activeFiling),
      mutated({ enddate: '2099-12-31', memo: '延长' }, ['mdtrtarea_admdvs', 'fixmedins_code']),
      (id, body) => send('change', `/api/v1/filings/${id}/change`, 'zhangwei', body),
    ),
  );
  await assertRoute(
    'more-info',
    fc.asyncProperty(
      pathId(() => referralFiling),
      mutated({ answer: '已补充', documents: ['病历.pdf'] }),
      (id, body) => send('more-info', `/api/v1/filings/${id}/more-info`, 'zhangwei', body),
    ),
  );
  await assertRoute(
    'cancel',
    fc.asyncProperty(
      pathId(() => activeFiling),
      mutated({ reason: '行程取消' }),
      (id, body) => send('cancel', `/api/v1/filings/${id}/cancel`, 'zhangwei', body),
    ),
  );
});

test('claim, release, decision and revoke: junk ids and malformed bodies are 4xx problems', async () => {
  await assertRoute(
    'claim',
    fc.asyncProperty(
      pathId(() => task),
      junkValue,
      (id, body) => send('claim', `/api/v1/tasks/${id}/claim`, 'staff-ah', body),
    ),
  );
  await assertRoute(
    'release',
    fc.asyncProperty(
      pathId(() => task),
      junkValue,
      (id, body) => send('release', `/api/v1/tasks/${id}/release`, 'staff-ah', body),
    ),
  );
  await assertRoute(
    'decision',
    fc.asyncProperty(
      pathId(() => task),
      mutated({ decision: 'more_info', reason: '请补充病历', version: 1 }),
      (id, body) => send('decision', `/api/v1/tasks/${id}/decision`, 'staff-ah', body),
    ),
  );
  await assertRoute(
    'revoke',
    fc.asyncProperty(
      pathId(() => referralFiling),
      mutated({ memo: '患者已回参保地治疗' }),
      (id, body) => send('revoke', `/api/v1/filings/${id}/revoke`, 'staff-ah', body),
    ),
  );
});

test('reads with junk ids and junk list queries are 4xx problems too', async () => {
  const queryValue = fc.oneof(
    junkText,
    wrongType.map((v) => JSON.stringify(v) ?? ''),
    fc.constantFrom('1e20', '-1', '0', 'NaN', 'Infinity'),
  );
  const query = fc
    .dictionary(fc.constantFrom('status', 'mine', 'psn_no', 'page', 'page_size', 'x'), queryValue, {
      maxKeys: 3,
    })
    .map((q) => new URLSearchParams(q as Record<string, string>).toString().replace(/%25/g, '%'));
  const get = async (path: string, username: string) => {
    const res = await request(app)
      .get(path)
      .set('Authorization', await bearer(username));
    if (res.status === 431) return;
    expect(res.status).toBeLessThan(500);
    if (res.status >= 400) expect(CODES.has(res.body.code)).toBe(true);
  };
  await assertRoute(
    'reads',
    fc.asyncProperty(
      pathId(() => referralFiling),
      pathId(() => task),
      query,
      async (filingId, taskId, q) => {
        await get(`/api/v1/filings/${filingId}`, 'zhangwei');
        await get(`/api/v1/tasks/${taskId}`, 'staff-ah');
        await get(`/api/v1/tasks?${q}`, 'staff-ah');
        await get(`/api/v1/filings?${q}`, 'zhangwei');
      },
    ),
  );
});

test('every accepted filing completes: none is left SUBMITTED by a projection that cannot succeed', async () => {
  await eventually(
    async () => ((await orm.em.fork().count(Filing, { status: 'SUBMITTED' })) === 0 ? true : undefined),
    30_000,
  );
  for (const { id } of accepted) {
    if (!id) continue;
    const res = await request(app)
      .get(`/api/v1/filings/${id}`)
      .set('Authorization', await bearer(id.includes('P34010000000002') ? 'lixiuying' : 'zhangwei'));
    expect(res.status).toBe(200);
  }
  expect(logs.filter((m) => m.startsWith('unhandled error'))).toEqual([]);
});
