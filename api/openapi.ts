import { z } from 'zod';
import { INFCODE_LIST, INFCODES } from './infcodes';
import * as s from './schemas';
import * as c from './schemas/clearing';
import * as fc from './schemas/fee-checks';
import { HospitalPersonQuery } from './schemas/hospital';
import { MonitoringQuery } from './schemas/monitoring';
import { TRANSACTIONS, TransactionEnvelope } from './schemas/transactions';

type Op = {
  summary: string;
  roles: string;
  body?: z.ZodType;
  query?: z.ZodObject;
  ok: string;
  idempotent?: boolean;
  /** The body is a file (PDF, JPG or PNG) with its type as Content-Type. */
  upload?: boolean;
};

const ops: Record<string, Record<string, Op>> = {
  '/api/v1/auth/login': {
    post: { summary: '登录 Log in: a signed token', roles: 'anyone', body: s.LoginRequest, ok: '200' },
  },
  '/api/v1/vocabulary': {
    get: {
      summary:
        '词表 The case vocabulary with Chinese labels: case types, statuses, categories, task kinds and their decisions',
      roles: 'anyone',
      ok: '200',
    },
  },
  '/api/v1/me': { get: { summary: 'The current user and scope', roles: 'any', ok: '200' } },
  '/api/v1/filings': {
    post: {
      summary: '备案 File: starts a filing case (202 + Location)',
      roles: 'citizen',
      body: s.FilingCreate,
      ok: '202',
      idempotent: true,
    },
    get: {
      summary: 'List filings: own (citizen) or the province’s (agency)',
      roles: 'any',
      query: s.FilingQuery,
      ok: '200',
    },
  },
  '/api/v1/stays': {
    get: {
      summary:
        '住院 List stays (StaySummary): own (citizen), admitted here (hospital), the province’s insured (agency)',
      roles: 'citizen, hospital, staff, supervisor',
      query: s.StayQuery,
      ok: '200',
    },
  },
  '/api/v1/stays/{mdtrt_id}': {
    get: {
      summary:
        '住院详情 A stay (StayView): fee lines with their classification, settlements with setldetail and policy, timeline',
      roles: 'citizen, hospital, staff, supervisor',
      ok: '200',
    },
  },
  '/api/v1/admdvs': {
    get: { summary: '统筹区 The pooling regions: code, name and province', roles: 'any', ok: '200' },
  },
  '/api/v1/filings/{id}': {
    get: { summary: 'A case with its referral, timeline and tasks', roles: 'any', ok: '200' },
  },
  '/api/v1/filings/{id}/change': {
    post: {
      summary: '变更 Change an active filing (refused in the long-term lock)',
      roles: 'citizen',
      body: s.FilingChange,
      ok: '200',
    },
  },
  '/api/v1/filings/{id}/cancel': {
    post: {
      summary: '取消 Cancel a filing (refused in the long-term lock)',
      roles: 'citizen',
      body: s.FilingCancel,
      ok: '200',
    },
  },
  '/api/v1/filings/{id}/more-info': {
    post: {
      summary: '补充材料 Answer a request for more information',
      roles: 'citizen',
      body: s.MoreInfoAnswer,
      ok: '202',
    },
  },
  '/api/v1/filings/{id}/revoke': {
    post: {
      summary: '撤销 Revoke an approved referral (2502)',
      roles: 'staff, supervisor',
      body: s.ReferralRevoke,
      ok: '200',
    },
  },
  '/api/v1/filings/{id}/documents': {
    post: {
      summary: '上传材料 Upload a document (PDF/JPG/PNG, at most 5 MB; 415/413 otherwise, nothing stored)',
      roles: 'citizen',
      query: s.DocumentUploadQuery,
      ok: '201',
      upload: true,
    },
  },
  '/api/v1/filings/{id}/documents/{documentId}': {
    get: { summary: 'A document of a case, as uploaded', roles: 'any who may see the case', ok: '200' },
  },
  '/api/v1/tasks': {
    get: {
      summary: '待办 The review queue of the user’s province',
      roles: 'staff, supervisor',
      query: s.TaskQuery,
      ok: '200',
    },
  },
  '/api/v1/persons/{psn_no}': {
    get: {
      summary:
        '参保人 An insured person: oneself (citizen) or the province’s insured (agency); masked per role',
      roles: 'citizen, staff, supervisor',
      ok: '200',
    },
  },
  '/api/v1/hospital/persons/{psn_no}': {
    get: {
      summary:
        '备案查询 A person’s filing status for the hospital’s province (404 unless mdtrt_cert_no matches)',
      roles: 'hospital',
      query: HospitalPersonQuery,
      ok: '200',
    },
  },
  '/api/v1/hospital/transactions': {
    post: {
      summary:
        '医院交易 Hospital transactions in the national envelope (1101, 2401–2405, 2301–2305): 200 with `infcode` for every answer about the message',
      roles: 'hospital',
      body: TransactionEnvelope,
      ok: '200',
    },
  },
  '/api/v1/tasks/{id}': {
    get: {
      summary: 'A task with its case (a filing, or for 待遇补差 the comparison, the stay and its timeline)',
      roles: 'staff, supervisor',
      ok: '200',
    },
  },
  '/api/v1/stays/{mdtrt_id}/compensation': {
    post: {
      summary:
        '申请待遇补差 Apply for the treatment-gap comparison of one’s own settled stay (202; 200 when it exists; 409 COMPENSATION_DEADLINE_PASSED / COMPENSATION_NOT_SETTLED / COMPENSATION_NOT_OFFERED)',
      roles: 'citizen',
      ok: '202',
    },
  },
  '/api/v1/tickets': {
    get: {
      summary:
        '问题协同看板 TicketBoard: tickets whose insured or treatment province is the viewer’s, with counts by status, category, SLA state and first responder',
      roles: 'coordinator, staff, supervisor, hospital (its stays)',
      query: s.TicketQuery,
      ok: '200',
    },
    post: {
      summary:
        '发起问题协同 Raise a ticket for a stay by hand (201 TicketView; 409 TICKET_ALREADY_OPEN while one is open)',
      roles: 'coordinator of either side, hospital of the stay',
      body: s.TicketCreate,
      ok: '201',
    },
  },
  '/api/v1/tickets/{ticket_id}': {
    get: {
      summary:
        '问题协同 TicketView: both sides’ tasks, comments and actions, the stuck stay live, its timeline, the viewer’s allowed actions (404 TICKET_NOT_FOUND out of scope)',
      roles: 'coordinator, staff, supervisor, hospital (its stays)',
      ok: '200',
    },
  },
  '/api/v1/tickets/{ticket_id}/comments': {
    post: {
      summary:
        '评论 Comment on an open ticket (201 TicketCommentView; 403 TICKET_NOT_A_SIDE, 409 TICKET_CLOSED); a resend with one Idempotency-Key is stored once',
      roles: 'coordinator of either side',
      body: s.TicketCommentCreate,
      ok: '201',
      idempotent: true,
    },
  },
  '/api/v1/tickets/{ticket_id}/attachments': {
    post: {
      summary:
        '上传附件 Attach a file (PDF/JPG/PNG, raw body, Content-Type and X-Filename headers; 201 {document_id, filename, content_type, size})',
      roles: 'coordinator of either side',
      ok: '201',
      upload: true,
    },
  },
  '/api/v1/tickets/{ticket_id}/attachments/{document_id}': {
    get: { summary: 'An attachment of a ticket, as uploaded', roles: 'who may see the ticket', ok: '200' },
  },
  '/api/v1/tickets/{ticket_id}/actions': {
    post: {
      summary:
        '处理操作 An action on the ticket (restore_filing, resend_filing, correct_person, remap_catalogue, retry_settlement, convert_manual, hand_over, withdraw; 200 TicketView; TICKET_WRONG_SIDE, TICKET_CLOSED, TICKET_ACTION_UNKNOWN, TICKET_PARAMS_INVALID); the same Idempotency-Key is applied once',
      roles: 'coordinator of the side the action belongs to',
      body: s.TicketActionCreate,
      ok: '200',
      idempotent: true,
    },
  },
  '/api/v1/fee-checks': {
    get: {
      summary:
        '费用协查 Fee checks (FeeCheckView[]) of the viewer’s province pairs, by batch month and status',
      roles: 'staff, supervisor, coordinator',
      query: fc.FeeCheckQuery,
      ok: '200',
    },
    post: {
      summary:
        '发起费用协查 Request a fee check on a settlement (insured side; 201 FeeCheckView, 200 for the same user’s same request again; 409 FEE_CHECK_NOT_ELIGIBLE below the threshold / FEE_CHECK_DUPLICATE; 403 FEE_CHECK_WRONG_SIDE)',
      roles: 'coordinator',
      body: fc.FeeCheckCreate,
      ok: '201',
    },
  },
  '/api/v1/fee-check-candidates': {
    get: {
      summary:
        '可协查的结算 The insured side’s settlements at or above the threshold without a fee check, by setl_id or psn_no (FeeCheckCandidateView[])',
      roles: 'coordinator',
      query: fc.FeeCheckCandidateQuery,
      ok: '200',
    },
  },
  '/api/v1/fee-checks/{check_id}': {
    get: {
      summary: '费用协查详情 A fee check (FeeCheckView)',
      roles: 'staff, supervisor, coordinator',
      ok: '200',
    },
  },
  '/api/v1/fee-checks/{check_id}/answers': {
    post: {
      summary:
        '协查答复 The treatment side answers items (核查无误 / 核查有误 + reason + amount as a yuan string ≤ the line; 409 FEE_CHECK_BATCH_CLOSED after the answer period; 400 FEE_CHECK_AMOUNT_INVALID)',
      roles: 'coordinator',
      body: fc.FeeCheckAnswerBody,
      ok: '200',
      idempotent: true,
    },
  },
  '/api/v1/fee-checks/{check_id}/confirm': {
    post: {
      summary:
        '协查确认 The insured side confirms the answers: the 核查有误 amounts are recovered in the ledger once (a resend answers the same)',
      roles: 'coordinator',
      ok: '200',
      idempotent: true,
    },
  },
  '/api/v1/fee-check-batches': {
    get: {
      summary: '协查批次 Fee-check batches (FeeCheckBatchView[]) of the viewer’s province pairs',
      roles: 'staff, supervisor, coordinator',
      query: fc.FeeCheckBatchQuery,
      ok: '200',
    },
  },
  '/api/v1/fee-check-batches/{batch_id}': {
    get: {
      summary: '协查批次详情 A batch with its checks',
      roles: 'staff, supervisor, coordinator',
      ok: '200',
    },
  },
  '/api/v1/fee-check-batches/freeze': {
    post: {
      summary:
        '冻结协查批次 Freeze the month’s open batches of the province now (the batches freeze on their day)',
      roles: 'staff, supervisor',
      body: fc.FeeCheckFreezeBody,
      ok: '200',
    },
  },
  '/api/v1/clearing': {
    get: {
      summary: '清算单 The month’s statements (ClearingStatementView[]) of the viewer’s province pairs',
      roles: 'coordinator, staff, supervisor',
      query: c.ClearingQuery,
      ok: '200',
    },
    post: {
      summary:
        '发起清算 Clear a month now (the Schedule runs it on the 1st, 02:00 Asia/Shanghai): 202; twice → 409 CLEARING_MONTH_DONE; a month not ended → 409 CLEARING_MONTH_OPEN',
      roles: 'staff, supervisor',
      body: c.ClearingRunRequest,
      ok: '202',
    },
  },
  '/api/v1/clearing/{clr_month}/{pair_id}': {
    get: {
      summary:
        '清算单详情 A pair’s statement (ClearingStatementView); a third province gets 404 CLEARING_NOT_FOUND',
      roles: 'coordinator, staff, supervisor',
      ok: '200',
    },
  },
  '/api/v1/clearing/{clr_month}/{pair_id}/settlements': {
    get: {
      summary: '清算明细 The statement’s settlements and reversals (names masked)',
      roles: 'coordinator, staff, supervisor',
      ok: '200',
    },
  },
  '/api/v1/clearing/{clr_month}/{pair_id}/confirm': {
    post: {
      summary:
        '确认清算单 The viewer’s side confirms this round (both → CONFIRMED); 409 CLEARING_NOT_ALLOWED / CLEARING_CLOSED',
      roles: 'coordinator, supervisor',
      ok: '200',
      idempotent: true,
    },
  },
  '/api/v1/clearing/{clr_month}/{pair_id}/dispute': {
    post: {
      summary:
        '提出异议 DISPUTED with a reason and the fee checks and tickets behind it; waits for a re-clear; a fee check or ticket not of the pair (and month) → 422 CLEARING_DISPUTE_LINK_INVALID; a closed statement → 409 CLEARING_CLOSED',
      roles: 'coordinator, supervisor',
      body: c.ClearingDisputeRequest,
      ok: '200',
      idempotent: true,
    },
  },
  '/api/v1/clearing/{clr_month}/{pair_id}/transfer': {
    post: {
      summary:
        '登记拨付 The insured side records the payment of the net (TRANSFERRED → RECONCILED); the treatment side → 403 CLEARING_WRONG_SIDE',
      roles: 'coordinator, supervisor',
      body: c.ClearingTransferRequest,
      ok: '200',
      idempotent: true,
    },
  },
  '/api/v1/clearing/{clr_month}/{pair_id}/recheck': {
    post: {
      summary:
        '重新对账 A flagged (对账不平) statement checked again against the settlements: matched → RECONCILED, the task completes; only the insured side (else 403 CLEARING_WRONG_SIDE)',
      roles: 'coordinator, supervisor',
      ok: '200',
      idempotent: true,
    },
  },
  '/api/v1/clearing/{clr_month}/{pair_id}/supplement': {
    post: {
      summary:
        '登记补拨 A supplementary transfer (amount in fen, signed: 补拨 > 0, 退回 < 0) added to the transfer of a flagged statement, then re-checked',
      roles: 'coordinator, supervisor',
      body: c.ClearingSupplementRequest,
      ok: '200',
      idempotent: true,
    },
  },
  '/api/v1/clearing/{clr_month}/{pair_id}/ticket': {
    post: {
      summary:
        "发起对账问题协同 A reconciliation_mismatch ticket for one settlement (setl_id) of a flagged statement, started by the month's run; the flag stays until a re-check matches",
      roles: 'coordinator, supervisor',
      body: c.ClearingTicketRequest,
      ok: '200',
      idempotent: true,
    },
  },
  '/api/v1/clearing/{clr_month}/{pair_id}/reclear': {
    post: {
      summary: '重新清算 After a dispute: the statement computed again, a new round of confirmations',
      roles: 'staff, supervisor',
      ok: '200',
      idempotent: true,
    },
  },
  '/api/v1/clearing/{clr_month}/{pair_id}/export.csv': {
    get: {
      summary: '导出 CSV The statement and its settlements (UTF-8 with BOM)',
      roles: 'coordinator, staff, supervisor',
      ok: '200',
    },
  },
  '/api/v1/clearing/{clr_month}/{pair_id}/export.xlsx': {
    get: {
      summary: '导出 Excel The statement and its settlements as .xlsx (amounts as numbers, in yuan)',
      roles: 'coordinator, staff, supervisor',
      ok: '200',
    },
  },
  '/api/v1/advance-funds': {
    get: {
      summary:
        '预付金 The advance funds of the viewer’s province (AdvanceFundView[]: usage, yellow/red level, top-ups)',
      roles: 'coordinator, staff, supervisor',
      ok: '200',
    },
  },
  '/api/v1/advance-funds/{pair_id}/top-up': {
    post: {
      summary:
        '紧急调增 The treatment side requests an emergency top-up (amount as a yuan string): 201 AdvanceFundView',
      roles: 'coordinator, supervisor',
      body: c.AdvanceFundTopUpRequest,
      ok: '201',
      idempotent: true,
    },
  },
  '/api/v1/monitoring': {
    get: {
      summary:
        '运行监测 MonitoringView of the viewer’s province over whole months (from ≤ to, at most 24): direct-settlement rate (ppm, direct ÷ direct + 手工报销), settlements and failures per month, failures by ticket category and province pair, ticket SLA compliance (ppm), 预付金 (400 VALIDATION_FAILED for a bad span)',
      roles: 'staff, supervisor, coordinator',
      query: MonitoringQuery,
      ok: '200',
    },
  },
  '/api/v1/demo/scenarios/hainan': {
    get: {
      summary:
        '演示场景 The seed story (海南 insured, treated in 成都): its 2401/2301/2402/2304 inputs in the national format and the amounts expected',
      roles: 'hospital, staff, supervisor',
      ok: '200',
    },
  },
  '/api/v1/tasks/{id}/claim': {
    post: { summary: '认领 Claim a task', roles: 'staff, supervisor', ok: '200' },
  },
  '/api/v1/tasks/{id}/release': {
    post: { summary: '释放 Release a claimed task', roles: 'staff, supervisor', ok: '200' },
  },
  '/api/v1/tasks/{id}/decision': {
    post: {
      summary: '审核 Decide: approve, reject (reason) or request more information (reason)',
      roles: 'staff, supervisor',
      body: s.TaskDecision,
      ok: '200',
    },
  },
  '/api/v1/tasks/{id}/reassign': {
    post: {
      summary:
        '改派 Hand a task to a staff member or supervisor of the province (404 USER_NOT_FOUND otherwise)',
      roles: 'supervisor',
      body: s.TaskReassign,
      ok: '200',
    },
  },
  '/api/v1/staff': {
    get: {
      summary:
        '经办人员 The province’s staff and supervisors (username, display name) a supervisor can reassign to; empty for other roles',
      roles: 'staff, supervisor',
      query: s.StaffQuery,
      ok: '200',
    },
  },
};

const problem = { $ref: '#/components/schemas/Problem' };
const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: problem } },
});

/** OpenAPI 3.1, built from the same zod schemas the routes validate with. */
export function openApiDocument() {
  // Every schema with a `.meta({ id })` becomes a component; routes refer to it by $ref.
  const registry = z.toJSONSchema(z.globalRegistry, {
    io: 'input',
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  });
  const schemas: Record<string, unknown> = {};
  for (const [id, schema] of Object.entries(registry.schemas)) {
    const { $schema: _s, $id: _i, ...rest } = schema as Record<string, unknown>;
    schemas[id] = rest;
  }
  const ref = (schema: z.ZodType) => {
    const id = (z.globalRegistry.get(schema) as { id?: string } | undefined)?.id;
    if (id) return { $ref: `#/components/schemas/${id}` };
    return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [path, methods] of Object.entries(ops)) {
    paths[path] = {};
    for (const [method, op] of Object.entries(methods)) {
      const parameters: unknown[] = [];
      for (const [, name] of path.matchAll(/\{(\w+)\}/g))
        parameters.push({ name, in: 'path', required: true, schema: { type: 'string' } });
      if (op.query) {
        for (const [name, field] of Object.entries(op.query.shape)) {
          parameters.push({
            name,
            in: 'query',
            required: false,
            schema: z.toJSONSchema(field as z.ZodType, { io: 'input' }),
          });
        }
      }
      if (op.idempotent) {
        parameters.push({
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description: 'a repeat with the same key and body gets the first answer; one case is created',
          schema: { type: 'string', maxLength: 128 },
        });
      }
      (paths[path] as Record<string, unknown>)[method] = {
        summary: op.summary,
        description: `Roles: ${op.roles}.`,
        ...(op.roles === 'anyone' ? {} : { security: [{ bearer: [] }] }),
        parameters,
        ...(op.body
          ? { requestBody: { required: true, content: { 'application/json': { schema: ref(op.body) } } } }
          : {}),
        ...(op.upload
          ? {
              requestBody: {
                required: true,
                content: Object.fromEntries(
                  ['application/pdf', 'image/jpeg', 'image/png'].map((t) => [
                    t,
                    { schema: { type: 'string', format: 'binary' } },
                  ]),
                ),
              },
            }
          : {}),
        responses: {
          [op.ok]: { description: op.ok === '202' ? 'accepted' : 'ok', content: { 'application/json': {} } },
          '400': problemResponse('invalid request: `errors` names each field'),
          '401': problemResponse('no or bad token'),
          '403': problemResponse('wrong role for this route'),
          '404': problemResponse('not found, or not visible to this user (answered alike)'),
          '409': problemResponse(
            'refused by the case (state, lock), already decided, a business guard (`existing_id`), or the same Idempotency-Key still in flight',
          ),
          '422': problemResponse('the Idempotency-Key was used before for another request'),
          ...(op.upload
            ? {
                '413': problemResponse('the file is larger than the limit; nothing stored'),
                '415': problemResponse('not a PDF, JPG or PNG file; nothing stored'),
              }
            : {}),
          '503': problemResponse(
            'a dependency (database, workflow service) did not answer, or the request deadline passed; see `Retry-After`',
          ),
        },
      };
    }
  }
  paths['/api/v1/hospital/transactions'] = { post: transactionsOperation(paths, ref) };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Yidi 异地 API',
      version: '1',
      description:
        'Cross-province direct settlement: filings (异地就医备案), referral review (转诊审批) and the hospitals’ transactions in the national envelope (POST /api/v1/hospital/transactions).',
    },
    servers: [{ url: '/' }],
    components: { schemas, securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}

/**
 * The hospital transactions route in full: per `infno` the envelope with its `input`, and the answer
 * with its `output`; every infcode with its HTTP status. The national platform answers 200 with a
 * non-zero infcode, and so do we for any answer about the message (bad input included); 503 only when
 * a dependency did not answer and nothing was done, 500 for our own fault; 401/403 and a body that is
 * not JSON are problem+json (no envelope to answer in).
 */
function transactionsOperation(
  paths: Record<string, Record<string, unknown>>,
  ref: (schema: z.ZodType) => unknown,
): Record<string, unknown> {
  const base = paths['/api/v1/hospital/transactions']?.post as Record<string, unknown>;
  const responses = base.responses as Record<string, unknown>;
  const entries = Object.entries(TRANSACTIONS);
  const answer = { $ref: '#/components/schemas/TransactionAnswer' };
  const codes = INFCODE_LIST.map((name) => ({ name, ...INFCODES[name] }));
  const infcodeTable = codes.map(
    (c) => `| ${c.infcode} | ${c.name} | ${c.http} | ${c.stored ? 'yes' : 'no'} | ${c.meaning} |`,
  );
  return {
    ...base,
    description: [
      "Roles: hospital. `fixmedins_code` must be the logged-in hospital's, `mdtrtarea_admvs` its place.",
      'Idempotent by `msgid`: a retried message gets the first answer byte for byte; the same msgid with another body is refused (1005); a retry while the first is in flight waits for it.',
      '',
      '| infcode | name | HTTP | answer kept for the msgid | meaning |',
      '|---|---|---|---|---|',
      ...infcodeTable,
    ].join('\n'),
    'x-infcodes': codes,
    requestBody: {
      required: true,
      content: {
        'application/json': {
          schema: {
            oneOf: entries.map(([infno, t]) => ({
              title: `${infno} ${t.name}`,
              allOf: [
                { $ref: '#/components/schemas/TransactionEnvelope' },
                { type: 'object', properties: { infno: { const: infno }, input: ref(t.input) } },
              ],
            })),
          },
        },
      },
    },
    responses: {
      '200': {
        description:
          'the national answer: `infcode` 0 with `output` (per infno below), or non-zero with a Chinese `err_msg` and `output` {}',
        content: {
          'application/json': {
            schema: {
              oneOf: entries.map(([infno, t]) => ({
                title: `${infno} ${t.name}`,
                allOf: [answer, { type: 'object', properties: { output: ref(t.output) } }],
              })),
            },
          },
        },
      },
      '400': responses['400'],
      '401': responses['401'],
      '403': responses['403'],
      '500': {
        description: 'our fault (infcode 9999), in the envelope',
        content: { 'application/json': { schema: answer } },
      },
      '503': {
        description:
          'a dependency did not answer (infcode 9001/9002), nothing done: send the same message again after `Retry-After`',
        content: { 'application/json': { schema: answer } },
      },
    },
  };
}
