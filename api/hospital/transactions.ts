import { randomInt } from 'node:crypto';
import {
  ApplicationFailure,
  WorkflowExecutionAlreadyStartedError,
  type WorkflowHandle,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { Router } from 'express';
import type { z } from 'zod';
import {
  admissionUpdate,
  cancelAdmissionUpdate,
  cancelDischargeUpdate,
  cancelFeesUpdate,
  changeAdmissionUpdate,
  cstDate,
  dischargeUpdate,
  newMdtrtId,
  presettleUpdate,
  reverseSettlementUpdate,
  STAY_REFUSALS,
  type StayStart,
  settleUpdate,
  stayWorkflowId,
  transactionUpdateId,
  uploadFeesUpdate,
  WORKFLOW_TYPES,
} from '../../cases';
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../../config';
import { Filing, type Hospital, InsuredPerson, provinceOf } from '../../db/entities';
import { isDatabaseUnavailable } from '../../db/orm';
import { requireRole } from '../auth/middleware';
import { type CaseDeps, currentUser } from '../context';
import { requestHash } from '../idempotency';
import { INFCODES, type InfcodeName } from '../infcodes';
import { cnDatesIn, RETRY_AFTER_SECONDS, redactedError } from '../problem';
import { isoToCst } from '../schemas/national';
import {
  Input1101,
  Input2301,
  Input2302,
  Input2303,
  Input2304,
  Input2305,
  Input2401,
  Input2402,
  Input2403,
  Input2404,
  Input2405,
  type StayInput,
  TRANSACTION_INFNOS,
  type TRANSACTIONS,
  TransactionEnvelope,
} from '../schemas/transactions';
import { hospitalFilingScope } from '../scope';
import {
  admissionOf,
  answerMessage,
  type Claim,
  claimAsHospital,
  claimMessage,
  keepAdmissionId,
  releaseMessage,
} from './messages';
import {
  feeOutput,
  type PersonFacts,
  personOutput,
  reversalOutput,
  settlementOutput,
  stayOutput,
} from './output';

/**
 * `POST /api/v1/hospital/transactions`: the national platform's transactions in its own envelope, so
 * a HIS that talks to the national platform talks to us by changing a URL. The envelope is checked,
 * the msgid claimed (a retry gets the first answer), `input` parsed per infno into the contract's
 * payloads, and the stay's workflow answers through an update whose id is the message's. Every answer
 * is the national envelope; HTTP status 200 for every answer about the message (success, refusal, bad
 * input), as the national platform does; 503 (with `Retry-After`) when a dependency did not answer and
 * nothing was done, 500 for our own fault. Each `infcode` is in `api/infcodes.ts`.
 */

/** A refusal that ends the message with an infcode and a Chinese err_msg saying what to do. */
class Refusal extends Error {
  constructor(
    readonly code: InfcodeName,
    message: string,
  ) {
    super(message);
  }
}

interface Outcome {
  output: Record<string, unknown>;
  mdtrt_id: string | null;
  psn_no: string | null;
}

/** The logged-in hospital's row (`admdvs`: the place it is in). */
type HospitalRow = Pick<Hospital, 'fixmedins_code' | 'fixmedins_name'> & { admdvs: string };

interface Ctx {
  deps: Pick<CaseDeps, 'orm' | 'temporal' | 'taskQueue' | 'log'>;
  env: TransactionEnvelope;
  hospital: HospitalRow;
  /** The claimed message's row id and the mdtrt_id it already holds (a retried 2401). */
  message: { id: number; mdtrt_id: string | null };
  /** The hospital's admission of the stay the input names, read with the claim (see `mdtrtIdNamed`). */
  admission?: { mdtrt_id: string; psn_no: string | null };
}

/**
 * The mdtrt_id a stay transaction's input names (`input.mdtrt_id`, or in its first object: `data`,
 * `adminfo`, `dscginfo`, the first fee line), read before its schema so the admission comes with the
 * claim. Only a hint: `onStay` uses it when it is the mdtrt_id the schema parses, and reads otherwise.
 */
function mdtrtIdNamed(input: unknown): string | null {
  if (input === null || typeof input !== 'object') return null;
  const direct = (input as { mdtrt_id?: unknown }).mdtrt_id;
  if (typeof direct === 'string') return idLike(direct);
  for (const v of Object.values(input)) {
    const inner = Array.isArray(v) ? v[0] : v;
    const id =
      inner !== null && typeof inner === 'object' ? (inner as { mdtrt_id?: unknown }).mdtrt_id : undefined;
    if (typeof id === 'string') return idLike(id);
  }
  return null;
}

/**
 * The hint goes to SQL before the schema has checked it: only what an id can be (a NUL or a broken
 * surrogate would make PostgreSQL fail the whole claim statement); anything else is read the slow way.
 */
function idLike(id: string): string | null {
  return /^[0-9A-Za-z_-]{1,40}$/.test(id) ? id : null;
}

const SUPPORTED = new Set<string>(TRANSACTION_INFNOS);
const REFUSAL_CODES = new Set<string>(Object.values(STAY_REFUSALS));
const MAX_ERRORS_NAMED = 3;

/** A zod error as one line naming each field as the HIS wrote it: `feedetail[3].det_item_fee_sumamt: …`. */
export function zodLine(error: z.ZodError): string {
  const parts = error.issues.slice(0, MAX_ERRORS_NAMED).map((issue) => {
    const path = issue.path
      .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
      .join('');
    return `${path || '(input)'}: ${issue.message}`;
  });
  const more =
    error.issues.length > MAX_ERRORS_NAMED ? `；另有 ${error.issues.length - MAX_ERRORS_NAMED} 处` : '';
  return parts.join('；') + more;
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new Refusal('INPUT_INVALID', zodLine(parsed.error));
  return parsed.data;
}

/** The stay's answer to an update (its id is the message's), or its refusal as an infcode. */
async function update<R>(
  ctx: Ctx,
  mdtrt_id: string,
  run: (handle: WorkflowHandle, updateId: string) => Promise<R>,
): Promise<R> {
  try {
    const handle = ctx.deps.temporal.workflow.getHandle(stayWorkflowId(mdtrt_id));
    return await run(handle, transactionUpdateId(ctx.env.infno, ctx.env.msgid));
  } catch (error) {
    throw refusalFromTemporal(error);
  }
}

function refusalFromTemporal(error: unknown): Refusal {
  if (error instanceof WorkflowUpdateFailedError) {
    const cause = error.cause;
    if (cause instanceof ApplicationFailure && REFUSAL_CODES.has(cause.type ?? '')) {
      const code = cause.type as InfcodeName;
      return new Refusal(code, cnDatesIn(cause.message) || INFCODES[code].meaning);
    }
    return new Refusal('STAY_REFUSED', cnDatesIn(cause instanceof Error ? cause.message : error.message));
  }
  if (error instanceof WorkflowNotFoundError) {
    return new Refusal('STAY_CLOSED', '该就诊已撤销或已办结，不能再办理；如需继续请重新办理入院（2401）');
  }
  return new Refusal('WORKFLOW_UNAVAILABLE', INFCODES.WORKFLOW_UNAVAILABLE.meaning);
}

/** The person as 1101, 2303 and 2304 answer it: one row read, no entity built. */
async function personFacts(ctx: Ctx, psn_no: string): Promise<PersonFacts> {
  const person: PersonFacts | undefined = await ctx.deps.orm.em
    .getKnex()('insured_person')
    .where({ psn_no })
    .first(
      'psn_no',
      'psn_name',
      'certno',
      'gend',
      ctx.deps.orm.em.getKnex().raw('brdy::text as brdy'),
      'insutype',
      'psn_type',
      'insuplc_admdvs',
      'insu_status',
      // The personal account's balance as the settlements left it (the latest year's accumulator row).
      ctx.deps.orm.em.getKnex().raw(
        `coalesce((select a.acct_balc from accumulator a where a.psn_no = insured_person.psn_no
             and a.insuplc_admdvs = insured_person.insuplc_admdvs order by a.year desc limit 1), 0)::text as balc`,
      ),
    );
  if (!person) throw new Refusal('PERSON_NOT_FOUND', `没有人员编号为 ${psn_no} 的参保人`);
  return person;
}

/** 1101: the person by their resident ID, with their filings for this hospital's province. */
async function personInfo(ctx: Ctx): Promise<Outcome> {
  const { certno } = parse(Input1101, ctx.env.input);
  const em = ctx.deps.orm.em.fork();
  const person = await em.findOne(InsuredPerson, { certno });
  if (!person) throw new Refusal('PERSON_NOT_FOUND', '没有与该身份证号相符的参保人，请核对证件号码');
  const facts = await personFacts(ctx, person.psn_no);
  const filings = await em.find(Filing, hospitalFilingScope(person.psn_no, provinceOf(ctx.hospital.admdvs)), {
    orderBy: { begndate: 'desc', id: 'desc' },
  });
  // 人员身份 in force today, from the person's identities.
  const today = cstDate(Date.now());
  const identities = await em
    .getKnex()('person_identity')
    .where({ psn_no: person.psn_no })
    .andWhere('begntime', '<=', today)
    .andWhere((q) => q.whereNull('endtime').orWhere('endtime', '>=', today))
    .orderBy('begntime')
    .select(
      'psn_idet_type',
      'psn_type_lv',
      'memo',
      em.getKnex().raw('begntime::text as begntime'),
      em.getKnex().raw('endtime::text as endtime'),
    );
  const output = personOutput(
    facts,
    identities,
    filings.map((f) => ({
      category: f.category,
      status: f.status,
      mdtrtarea_admdvs: f.mdtrtarea_admdvs,
      begndate: String(f.begndate),
      enddate: f.enddate === null ? null : String(f.enddate),
    })),
    new Date(),
  );
  return { output, mdtrt_id: null, psn_no: person.psn_no };
}

const tenDigits = () => String(randomInt(0, 10_000_000_000)).padStart(10, '0');

/** 2401: allocate and keep the mdtrt_id with the message, start the stay, and await its admission check. */
async function admit(ctx: Ctx): Promise<Outcome> {
  const parsed = parse(Input2401, ctx.env.input);
  const insuplc_admdvs = ctx.env.insuplc_admdvs;
  if (!insuplc_admdvs) {
    throw new Refusal(
      'INPUT_INVALID',
      'insuplc_admdvs: 入院办理须填写参保地医保区划（6 位，1101 返回的 insuplc_admdvs）',
    );
  }
  let mdtrt_id = ctx.message.mdtrt_id;
  for (let attempt = 0; !mdtrt_id; attempt++) {
    if (attempt > 5) throw new Error('no free mdtrt_id after 5 draws');
    const drawn = newMdtrtId(ctx.env.mdtrtarea_admvs, cstDate(Date.parse(parsed.begntime)), tenDigits());
    if (await keepAdmissionId(ctx.deps.orm, ctx.message.id, drawn, parsed.psn_no)) mdtrt_id = drawn;
  }
  const start: StayStart = {
    mdtrt_id,
    msgid: ctx.env.msgid,
    admission: {
      ...parsed,
      fixmedins_code: ctx.hospital.fixmedins_code,
      fixmedins_name: ctx.hospital.fixmedins_name,
      insuplc_admdvs,
      mdtrtarea_admvs: ctx.env.mdtrtarea_admvs,
      opter: ctx.env.opter,
      opter_name: ctx.env.opter_name ?? '',
    },
  };
  try {
    await ctx.deps.temporal.workflow.start(WORKFLOW_TYPES.hospitalization, {
      workflowId: stayWorkflowId(mdtrt_id),
      taskQueue: ctx.deps.taskQueue,
      args: [start],
    });
  } catch (error) {
    // A retried 2401 whose first attempt started the stay: the same stay, its answer by the same update id.
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw refusalFromTemporal(error);
  }
  const state = await update(ctx, mdtrt_id, (handle, updateId) =>
    handle.executeUpdate(admissionUpdate, { updateId }),
  );
  return { output: stayOutput(state), mdtrt_id, psn_no: parsed.psn_no };
}

/** A transaction on an admitted stay: found by `mdtrt_id` among this hospital's admissions, with the same psn_no. */
async function onStay<P, R>(
  ctx: Ctx,
  schema: z.ZodType<StayInput<P>>,
  def: UpdateDefinition<R, [P]>,
  format: (result: R, stay: StayInput<P>) => Promise<Record<string, unknown>> | Record<string, unknown>,
): Promise<Outcome> {
  const stay = parse(schema, ctx.env.input);
  const admission =
    ctx.admission?.mdtrt_id === stay.mdtrt_id
      ? ctx.admission
      : await admissionOf(ctx.deps.orm, ctx.hospital.fixmedins_code, stay.mdtrt_id);
  if (!admission || admission.psn_no !== stay.psn_no) {
    throw new Refusal(
      'STAY_NOT_FOUND',
      `本机构没有就诊ID为 ${stay.mdtrt_id}、人员编号为 ${stay.psn_no} 的入院登记，请核对 mdtrt_id 与 psn_no（入院办理 2401 返回）`,
    );
  }
  const payload = { ...stay.payload, opter: ctx.env.opter } as P;
  const result = await update(ctx, stay.mdtrt_id, (handle, updateId) =>
    handle.executeUpdate<R, [P]>(def, { updateId, args: [payload] }),
  );
  return { output: await format(result, stay), mdtrt_id: stay.mdtrt_id, psn_no: stay.psn_no };
}

/** 中途结算 (`mid_setl_flag` "1", settling a stay before discharge) is not offered: refused before anything is done. */
function midSettlementRefused(ctx: Ctx): void {
  const { payload } = parse(Input2304, ctx.env.input);
  if (payload.mid_setl_flag) {
    throw new Refusal(
      'MID_SETTLEMENT_UNSUPPORTED',
      'mid_setl_flag: 暂不支持中途结算（"1"）；请办理出院（2402）后以 mid_setl_flag "0" 结算（2304）',
    );
  }
}

async function transact(ctx: Ctx): Promise<Outcome> {
  const infno = ctx.env.infno as keyof typeof TRANSACTIONS;
  const settled = async (r: Parameters<typeof settlementOutput>[0]) =>
    settlementOutput(r, await personFacts(ctx, r.psn_no), ctx.env.msgid);
  switch (infno) {
    case '1101':
      return personInfo(ctx);
    case '2401':
      return admit(ctx);
    case '2403':
      return onStay(ctx, Input2403, changeAdmissionUpdate, stayOutput);
    case '2404':
      return onStay(ctx, Input2404, cancelAdmissionUpdate, stayOutput);
    case '2301':
      return onStay(ctx, Input2301, uploadFeesUpdate, feeOutput);
    case '2302':
      return onStay(ctx, Input2302, cancelFeesUpdate, stayOutput);
    case '2303':
      midSettlementRefused(ctx);
      return onStay(ctx, Input2303, presettleUpdate, settled);
    case '2402':
      return onStay(ctx, Input2402, dischargeUpdate, stayOutput);
    case '2405':
      return onStay(ctx, Input2405, cancelDischargeUpdate, stayOutput);
    case '2304':
      midSettlementRefused(ctx);
      return onStay(ctx, Input2304, settleUpdate, settled);
    case '2305':
      return onStay(ctx, Input2305, reverseSettlementUpdate, reversalOutput);
  }
}

/** `inf_refmsgid`: our id of the answer, the national way (place + time + serial). */
function refMsgId(admvs: string, at: Date): string {
  return `${admvs}${isoToCst(at).replace(/\D/g, '')}${tenDigits()}`;
}

function envelopeText(
  code: InfcodeName,
  err_msg: string,
  output: Record<string, unknown>,
  received: Date,
  admvs: string,
): string {
  const respond = new Date();
  return JSON.stringify({
    infcode: INFCODES[code].infcode,
    inf_refmsgid: refMsgId(admvs, received),
    refmsg_time: `${isoToCst(received)}.${String(received.getMilliseconds()).padStart(3, '0')}`,
    respond_time: `${isoToCst(respond)}.${String(respond.getMilliseconds()).padStart(3, '0')}`,
    err_msg,
    output,
  });
}

/** What a transaction answers: its infcode's name (the HTTP status follows from it) and the envelope's text. */
export interface TransactionAnswer {
  code: InfcodeName;
  text: string;
}

type TransactionDeps = Pick<CaseDeps, 'orm' | 'temporal' | 'taskQueue' | 'log'>;

/**
 * One national message from the hospital `fixmedins_code` (the logged-in one), as the route and the
 * demo seeding send it: checked, claimed by msgid, transacted and kept.
 */
export async function handleTransaction(
  deps: TransactionDeps,
  fixmedins_code: string | null,
  body: unknown,
  received = new Date(),
): Promise<TransactionAnswer> {
  const reply = (code: InfcodeName, err_msg: string, output: Record<string, unknown> = {}) => ({
    code,
    text: envelopeText(code, err_msg, output, received, '000000'),
  });
  const envelope = TransactionEnvelope.safeParse(body);
  if (!envelope.success) return reply('ENVELOPE_INVALID', zodLine(envelope.error));
  const env = envelope.data;
  if (!SUPPORTED.has(env.infno)) {
    return reply('INFNO_UNSUPPORTED', `不支持交易 ${env.infno}；支持：${TRANSACTION_INFNOS.join('、')}`);
  }
  try {
    const request_hash = requestHash(body);
    const first = await claimAsHospital(deps.orm, fixmedins_code ?? '', {
      fixmedins_code: env.fixmedins_code,
      mdtrtarea_admvs: env.mdtrtarea_admvs,
      msgid: env.msgid,
      infno: env.infno,
      request_hash,
      stay: env.infno === '2401' ? null : mdtrtIdNamed(env.input),
    });
    const hospital: HospitalRow | undefined = first.hospital;
    if (!hospital || env.fixmedins_code !== hospital.fixmedins_code) {
      return reply(
        'FIXMEDINS_MISMATCH',
        `fixmedins_code: 报文的定点医药机构编号 ${env.fixmedins_code} 与登录的机构 ${fixmedins_code ?? '（无）'} 不符`,
      );
    }
    if (env.mdtrtarea_admvs !== hospital.admdvs) {
      return reply(
        'FIXMEDINS_MISMATCH',
        `mdtrtarea_admvs: 就医地医保区划 ${env.mdtrtarea_admvs} 与本机构所在地 ${hospital.admdvs} 不符`,
      );
    }
    // Claimed with the hospital's check unless the msgid was seen before: then the earlier message decides.
    const claim: Claim = first.claimed
      ? { kind: 'claimed', message: first.claimed }
      : await claimMessage(deps.orm, {
          fixmedins_code: hospital.fixmedins_code,
          msgid: env.msgid,
          infno: env.infno,
          request_hash,
        });
    if (claim.kind === 'answered') return { code: 'OK', text: claim.answer };
    if (claim.kind === 'reused') {
      return reply('MSGID_REUSED', `msgid: ${env.msgid} 已用于内容不同的报文；新的交易请使用新的 msgid`);
    }
    if (claim.kind === 'in_flight') return reply('MSGID_IN_FLIGHT', INFCODES.MSGID_IN_FLIGHT.meaning);
    const ctx: Ctx = {
      deps,
      env,
      hospital,
      message: { id: claim.message.id, mdtrt_id: claim.message.mdtrt_id ?? null },
      ...(first.admission ? { admission: first.admission } : {}),
    };
    const work = complete(ctx, received);
    // Work that outlives the hospital's patience goes on (and keeps its answer): the HIS is told to
    // send the same msgid again, and gets the final answer once it is there.
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), hisDeadlineMs());
    });
    const answer = await Promise.race([work, late]);
    clearTimeout(timer);
    return answer ?? reply('STILL_WORKING', INFCODES.STILL_WORKING.meaning);
  } catch (error) {
    if (isDatabaseUnavailable(error))
      return reply('DATABASE_UNAVAILABLE', INFCODES.DATABASE_UNAVAILABLE.meaning);
    deps.log(`hospital transaction ${env.infno} failed: ${redactedError(error)}`);
    return reply('INTERNAL', INFCODES.INTERNAL.meaning);
  }
}

/**
 * How long a request waits for its transaction before answering STILL_WORKING (1007):
 * `YIDI_HIS_DEADLINE_MS`, by default a second under the request deadline (`YIDI_REQUEST_TIMEOUT_MS`),
 * so the HIS hears it in the national envelope, not as the generic 503.
 */
export function hisDeadlineMs(): number {
  const v = Number(process.env.YIDI_HIS_DEADLINE_MS);
  if (Number.isFinite(v) && v > 0) return v;
  const request = Number(process.env.YIDI_REQUEST_TIMEOUT_MS) || DEFAULT_REQUEST_TIMEOUT_MS;
  return Math.max(1_000, request - 1_000);
}

/** The claimed message transacted and its answer kept (or the claim given back): never rejects. */
async function complete(ctx: Ctx, received: Date): Promise<TransactionAnswer> {
  const { deps, env, hospital, message } = ctx;
  try {
    let code: InfcodeName = 'OK';
    let err_msg = '';
    let outcome: Outcome = { output: {}, mdtrt_id: message.mdtrt_id, psn_no: null };
    try {
      outcome = await transact(ctx);
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      code = error.code;
      err_msg = error.message;
    }
    let text = envelopeText(code, err_msg, outcome.output, received, hospital.admdvs);
    if (INFCODES[code].stored) {
      text = await answerMessage(deps.orm, message.id, {
        text,
        infcode: INFCODES[code].infcode,
        mdtrt_id: outcome.mdtrt_id,
        psn_no: outcome.psn_no,
      });
    } else await releaseMessage(deps.orm, message.id);
    return { code, text };
  } catch (error) {
    // Nothing was answered for the message: its claim goes back, so the same message may be sent again.
    await releaseMessage(deps.orm, message.id).catch(() => undefined);
    const code: InfcodeName = isDatabaseUnavailable(error) ? 'DATABASE_UNAVAILABLE' : 'INTERNAL';
    if (code === 'INTERNAL') deps.log(`hospital transaction ${env.infno} failed: ${redactedError(error)}`);
    return { code, text: envelopeText(code, INFCODES[code].meaning, {}, received, '000000') };
  }
}

export function transactionsRouter(deps: CaseDeps): Router {
  const router = Router();
  router.post('/hospital/transactions', requireRole('hospital'), async (req, res) => {
    const { code, text } = await handleTransaction(deps, currentUser(res).fixmedins_code ?? null, req.body);
    const { http } = INFCODES[code];
    if (http === 503) res.set('Retry-After', String(RETRY_AFTER_SECONDS));
    res.status(http).type('application/json').send(text);
  });
  return router;
}
