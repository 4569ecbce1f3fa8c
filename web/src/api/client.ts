import { type OperationName, operations } from './paths';
import type {
  Admdvs,
  AdvanceFundView,
  CaseDetail,
  CaseDocument,
  ClearingSettlementRow,
  ClearingStatementView,
  Colleague,
  CompensationCase,
  Decision,
  EnvelopeAnswer,
  FeeCheckBatchView,
  FeeCheckCandidateView,
  FeeCheckView,
  FieldError,
  Filing,
  FilingChange,
  FilingCreate,
  HainanScenario,
  HospitalFiling,
  MonitoringView,
  Page,
  Session,
  StaySummary,
  StayView,
  Task,
  TaskQuery,
  TaskWithDecisions,
  TicketAction,
  TicketAttachment,
  TicketBoard,
  TicketCommentView,
  TicketQuery,
  TicketView,
  User,
  Vocabulary,
} from './types';

const SESSION_KEY = 'yidi.session';

export function loadSession(): Session | null {
  const raw = sessionStorage.getItem(SESSION_KEY);
  return raw ? (JSON.parse(raw) as Session) : null;
}

export function saveSession(session: Session | null): void {
  if (session) sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  else sessionStorage.removeItem(SESSION_KEY);
}

/** A problem+json answer (or no answer at all: status 0), with its stable `code` and field errors. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail: string | undefined,
    readonly errors: FieldError[],
    readonly body: Record<string, unknown>,
  ) {
    super(detail ?? title);
  }
}

/** Called on a 401 so the app can send the user back to the login page. */
let onUnauthenticated: () => void = () => undefined;
export function setUnauthenticatedHandler(handler: () => void): void {
  onUnauthenticated = handler;
}

type Params = {
  id?: string;
  /** Named path parameters ({ticket_id}, {clr_month}, {pair_id} …). */
  path?: Record<string, string>;
  documentId?: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** A file sent as it is, with its own type as Content-Type. */
  file?: Blob;
};

async function send(name: OperationName, params: Params, headers: Record<string, string>): Promise<Response> {
  const op = operations[name];
  let url: string = op.path;
  for (const [k, v] of Object.entries(params.path ?? {})) url = url.replace(`{${k}}`, encodeURIComponent(v));
  // The path's own parameter, whatever the API names it ({id}, {psn_no}, {mdtrt_id}).
  if (params.id !== undefined) url = url.replace(/\{(?!documentId\})\w+\}/, encodeURIComponent(params.id));
  if (params.documentId !== undefined)
    url = url.replace('{documentId}', encodeURIComponent(params.documentId));
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params.query ?? {}))
    if (v !== undefined && v !== '') search.set(k, String(v));
  if ([...search].length) url += `?${search}`;
  const session = loadSession();
  let res: Response;
  try {
    res = await fetch(url, {
      method: op.method.toUpperCase(),
      headers: {
        ...(params.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(params.file ? { 'content-type': params.file.type } : {}),
        ...(session ? { authorization: `Bearer ${session.token}` } : {}),
        ...headers,
      },
      body: params.file ?? (params.body !== undefined ? JSON.stringify(params.body) : undefined),
    });
  } catch {
    throw new ApiProblem(0, 'NETWORK', '网络连接失败', '无法连接服务器，请检查网络后重试', [], {});
  }
  if (!res.ok) await failed(name, res);
  return res;
}

async function failed(name: OperationName, res: Response): Promise<never> {
  const text = await res.text();
  let data: Record<string, unknown> = {};
  try {
    data = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    // Not problem+json (a proxy's error page): the status says enough.
  }
  if (res.status === 401 && name !== 'login') onUnauthenticated();
  throw new ApiProblem(
    res.status,
    typeof data.code === 'string' ? data.code : `HTTP_${res.status}`,
    typeof data.title === 'string' ? data.title : `HTTP ${res.status}`,
    typeof data.detail === 'string' ? data.detail : undefined,
    Array.isArray(data.errors) ? (data.errors as FieldError[]) : [],
    data,
  );
}

/** Idempotency-Key for a mutation a resend could double (a comment, an action, an answer). */
const once = (key: string) => ({ 'idempotency-key': key });

async function call<T>(name: OperationName, params: Params = {}, headers: Record<string, string> = {}) {
  const res = await send(name, params, headers);
  const text = await res.text();
  return (text ? JSON.parse(text) : {}) as T;
}

/** The typed API: one function per operation in paths.ts. */
export const api = {
  login: (username: string, password: string) =>
    call<{ token: string; user: User }>('login', { body: { username, password } }),
  me: () => call<User>('me'),
  admdvs: () => call<{ items: Admdvs[] }>('admdvs'),
  vocabulary: () => call<Vocabulary>('vocabulary'),
  listFilings: (query: { status?: string; page?: number; page_size?: number } = {}) =>
    call<Page<Filing>>('listFilings', { query }),
  createFiling: (body: FilingCreate, idempotencyKey: string) =>
    call<{ id: string; status: string; location: string }>(
      'createFiling',
      { body },
      { 'idempotency-key': idempotencyKey },
    ),
  getFiling: (id: string) => call<CaseDetail>('getFiling', { id }),
  changeFiling: (id: string, body: FilingChange) => call<CaseDetail>('changeFiling', { id, body }),
  cancelFiling: (id: string, reason: string) => call<CaseDetail>('cancelFiling', { id, body: { reason } }),
  answerMoreInfo: (id: string, answer: string, documents: string[]) =>
    call<{ id: string; accepted: boolean }>('answerMoreInfo', { id, body: { answer, documents } }),
  uploadDocument: (id: string, file: File) =>
    call<CaseDocument>('uploadDocument', { id, file, query: { name: file.name } }),
  /** The file itself, for showing it (an <a href> cannot carry the token). */
  documentBlob: async (id: string, documentId: string) =>
    (await send('getDocument', { id, documentId }, {})).blob(),
  listTasks: (query: TaskQuery) => call<Page<Task>>('listTasks', { query: { ...query } }),
  getTask: (id: string) =>
    call<{ task: TaskWithDecisions; case: CaseDetail | CompensationCase | null }>('getTask', { id }),
  claimTask: (id: string) => call<TaskWithDecisions>('claimTask', { id }),
  releaseTask: (id: string) => call<TaskWithDecisions>('releaseTask', { id }),
  /** Accepted by the case; a refusal is a 409 ApiProblem with the case's code and `outcome: 'refused'`. */
  decideTask: (id: string, decision: Decision, reason: string | undefined, version: number) =>
    call<TaskWithDecisions & { outcome: 'accepted' }>('decideTask', {
      id,
      body: { decision, reason, version },
    }),
  reassignTask: (id: string, assignee: string) =>
    call<TaskWithDecisions>('reassignTask', { id, body: { assignee } }),
  listStaff: (role?: 'staff' | 'supervisor') =>
    call<{ items: Colleague[] }>('listStaff', { query: { role } }),
  /** One national transaction; HTTP 200 with a non-zero infcode is a refusal (`hospital/envelope.ts`). */
  hospitalTransaction: <T>(body: unknown) => call<EnvelopeAnswer<T>>('hospitalTransaction', { body }),
  hospitalPerson: (psn_no: string, mdtrt_cert_no: string) =>
    call<{ psn_no: string; filings: HospitalFiling[] }>('hospitalPerson', {
      id: psn_no,
      query: { mdtrt_cert_no },
    }),
  /** The Hainan demo scenario (海南参保、成都就医): its 2401/2301/2402/2304 inputs in the national format. */
  hainanScenario: () => call<HainanScenario>('hainanScenario'),
  listStays: () => call<{ items: StaySummary[] }>('listStays'),
  getStay: (mdtrt_id: string) => call<StayView>('getStay', { id: mdtrt_id }),
  /** 待遇补差申请: the citizen asks for the comparison with a manual claim at home. */
  applyCompensation: (mdtrt_id: string) =>
    call<{ compensation_id: string; status: string; location: string }>('applyCompensation', {
      id: mdtrt_id,
    }),
  // 问题协同
  listTickets: (query: TicketQuery) => call<TicketBoard>('listTickets', { query: { ...query } }),
  createTicket: (body: { mdtrt_id: string; category: string; description: string }, key: string) =>
    call<TicketView>('createTicket', { body }, once(key)),
  getTicket: (ticket_id: string) => call<TicketView>('getTicket', { path: { ticket_id } }),
  commentTicket: (ticket_id: string, text: string, document_ids: string[], key: string) =>
    call<TicketCommentView>(
      'commentTicket',
      { path: { ticket_id }, body: { text, document_ids } },
      once(key),
    ),
  /** The file as it is; its name in X-Filename (URI-encoded: a header carries no Chinese). */
  uploadTicketAttachment: (ticket_id: string, file: File) =>
    call<TicketAttachment>(
      'uploadTicketAttachment',
      { path: { ticket_id }, file },
      { 'x-filename': encodeURIComponent(file.name) },
    ),
  ticketAttachmentBlob: async (ticket_id: string, document_id: string) =>
    (await send('getTicketAttachment', { path: { ticket_id, document_id } }, {})).blob(),
  actOnTicket: (
    ticket_id: string,
    body: { action: TicketAction; note?: string; params?: Record<string, string> },
    key: string,
  ) => call<TicketView>('actOnTicket', { path: { ticket_id }, body }, once(key)),
  // 费用协查
  listFeeChecks: (query: { month?: string; status?: string } = {}) =>
    call<FeeCheckView[]>('listFeeChecks', { query }),
  feeCheckCandidates: (q: string) => call<FeeCheckCandidateView[]>('feeCheckCandidates', { query: { q } }),
  // A retried request (same user, settlement and reason) answers the check already recorded.
  requestFeeCheck: (body: { setl_id: string; reason: string }) =>
    call<FeeCheckView>('requestFeeCheck', { body }),
  getFeeCheck: (check_id: string) => call<FeeCheckView>('getFeeCheck', { path: { check_id } }),
  answerFeeCheck: (
    check_id: string,
    items: { feedetl_sn: string; outcome: 'correct' | 'incorrect'; reason?: string; amount?: string }[],
    key: string,
  ) => call<FeeCheckView>('answerFeeCheck', { path: { check_id }, body: { items } }, once(key)),
  confirmFeeCheck: (check_id: string, key: string) =>
    call<FeeCheckView>('confirmFeeCheck', { path: { check_id } }, once(key)),
  listFeeCheckBatches: (month?: string) =>
    call<FeeCheckBatchView[]>('listFeeCheckBatches', { query: { month } }),
  // 清算 and 预付金
  listClearing: (clr_month: string) =>
    call<ClearingStatementView[]>('listClearing', { query: { clr_month } }),
  getClearing: (clr_month: string, pair_id: string) =>
    call<ClearingStatementView>('getClearing', { path: { clr_month, pair_id } }),
  clearingSettlements: (clr_month: string, pair_id: string) =>
    call<ClearingSettlementRow[]>('clearingSettlements', { path: { clr_month, pair_id } }),
  confirmClearing: (clr_month: string, pair_id: string, key: string) =>
    call<ClearingStatementView>('confirmClearing', { path: { clr_month, pair_id } }, once(key)),
  disputeClearing: (
    clr_month: string,
    pair_id: string,
    body: { reason: string; fee_check_ids?: string[]; ticket_ids?: string[] },
    key: string,
  ) => call<ClearingStatementView>('disputeClearing', { path: { clr_month, pair_id }, body }, once(key)),
  transferClearing: (clr_month: string, pair_id: string, reference: string, key: string) =>
    call<ClearingStatementView>(
      'transferClearing',
      { path: { clr_month, pair_id }, body: { reference } },
      once(key),
    ),
  /** 对账不平: check the transfer against the settlements again (after correcting the data). */
  recheckClearing: (clr_month: string, pair_id: string, key: string) =>
    call<ClearingStatementView>('recheckClearing', { path: { clr_month, pair_id } }, once(key)),
  /** 补拨 (fen > 0) or 退回 (fen < 0) added to the transfer, then re-checked. */
  supplementClearing: (clr_month: string, pair_id: string, amount: number, reference: string, key: string) =>
    call<ClearingStatementView>(
      'supplementClearing',
      { path: { clr_month, pair_id }, body: { amount, reference } },
      once(key),
    ),
  /** 对账不平: a reconciliation_mismatch 问题协同 on the stay behind one settlement of the pair. */
  ticketClearing: (clr_month: string, pair_id: string, setl_id: string, key: string) =>
    call<ClearingStatementView>(
      'ticketClearing',
      { path: { clr_month, pair_id }, body: { setl_id } },
      once(key),
    ),
  /** The statement's file (CSV or .xlsx), fetched with the token and saved under its own name. */
  clearingExport: async (clr_month: string, pair_id: string, kind: 'csv' | 'xlsx') =>
    (
      await send(
        kind === 'csv' ? 'exportClearingCsv' : 'exportClearingXlsx',
        { path: { clr_month, pair_id } },
        {},
      )
    ).blob(),
  listAdvanceFunds: () => call<AdvanceFundView[]>('listAdvanceFunds'),
  /** `amount` in yuan as typed ("500000.00"): the API parses it to fen exactly. */
  requestTopUp: (pair_id: string, amount: string, key: string) =>
    call<AdvanceFundView>('requestTopUp', { path: { pair_id }, body: { amount } }, once(key)),
  // 运行监测
  monitoring: (from: string, to: string) => call<MonitoringView>('monitoring', { query: { from, to } }),
};
