import { type OperationName, operations } from './paths';
import type {
  Admdvs,
  CaseDetail,
  CaseDocument,
  Colleague,
  CompensationCase,
  Decision,
  EnvelopeAnswer,
  FieldError,
  Filing,
  FilingChange,
  FilingCreate,
  HainanScenario,
  HospitalFiling,
  Page,
  Session,
  StaySummary,
  StayView,
  Task,
  TaskQuery,
  TaskWithDecisions,
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
  documentId?: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** A file sent as it is, with its own type as Content-Type. */
  file?: Blob;
};

async function send(name: OperationName, params: Params, headers: Record<string, string>): Promise<Response> {
  const op = operations[name];
  let url: string = op.path;
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
};
