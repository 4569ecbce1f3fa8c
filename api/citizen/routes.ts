import { randomBytes, randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { Router } from 'express';
import {
  answerMoreInfoSignal,
  answerMoreInfoUpdate,
  cancelFilingUpdate,
  changeFilingUpdate,
  type FilingInput,
  type FilingStatus,
  LONG_TERM_CATEGORIES,
  WORKFLOW_TYPES,
} from '../../cases';
import {
  Admdvs,
  Filing,
  HumanTask,
  IdempotencyRecord,
  InsuredPerson,
  provinceOf,
  Referral,
} from '../../db/entities';
import { requireRole } from '../auth/middleware';
import { currentCase, visibleFiling } from '../cases/read';
import { applied } from '../cases/temporal-errors';
import { type CaseDeps, currentUser } from '../context';
import { earlierRequest, idempotencyKey, oneAtATime, requestHash } from '../idempotency';
import { cnDate, fieldProblem, HttpProblem, RETRY_AFTER_SECONDS } from '../problem';
import type { ProblemCode } from '../problem-codes';
import { FilingCancel, FilingChange, FilingCreate, MoreInfoAnswer } from '../schemas';

/** What a citizen does with their own filings: file, change, cancel, answer a request for more information. */
export function citizenRouter(deps: CaseDeps): Router {
  const router = Router();
  const citizen = requireRole('citizen');

  router.post('/filings', citizen, async (req, res) => {
    const body = FilingCreate.parse(req.body);
    const user = currentUser(res);
    const psn_no = user.psn_no ?? '';
    const key = idempotencyKey(req);
    const hash = requestHash(req.body);
    const em = deps.orm.em.fork();

    // A finished earlier request with this key is answered as it was.
    const replay = (record: IdempotencyRecord): void => {
      const location = record.response?.location;
      if (typeof location === 'string') res.location(location);
      res.status(record.status ?? 202).json(record.response);
    };

    const { insuplc, prov_admdvs } = await insuredPlace(em, psn_no);
    requireCrossProvince(body.mdtrtarea_admdvs, prov_admdvs);

    // Either this request stores the filing (under the person's lock, after the business guards), or
    // an identical one with the same key did: then its answer is awaited and replayed, or resumed.
    let id: string | null = null;
    for (let attempt = 0; id === null; attempt++) {
      if (key) {
        const earlier = await earlierRequest(deps.orm, user.id, key, hash);
        if (earlier.state === 'answered') return replay(earlier.record);
        if (earlier.state === 'abandoned') id = earlier.record.case_id ?? null;
        if (id) break;
      }
      // One person's filings one at a time in this process, so a burst waits here, not holding pooled
      // connections while it waits for the database lock (which orders them across processes).
      const stored = await oneAtATime(`filing:${psn_no}`, () =>
        storeFiling(deps.orm, { body, psn_no, insuplc, prov_admdvs, user_id: user.id, key, hash }),
      );
      if (stored !== 'twin') id = stored;
      else if (attempt > 3) throw new Error('idempotency record neither stored nor found');
    }

    const input = filingInput(id, psn_no, body, user.username, prov_admdvs);
    try {
      await deps.temporal.workflow.start(WORKFLOW_TYPES.filing, {
        workflowId: id,
        taskQueue: deps.taskQueue,
        args: [input],
      });
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) {
        // Nothing half-done: without a workflow there is no filing; the same key may simply be retried.
        await em.fork().transactional(async (tx) => {
          await tx.nativeDelete(IdempotencyRecord, { user_id: user.id, case_id: id });
          await tx.nativeDelete(Filing, { id, projection_seq: 0 });
        });
        deps.log(`filing ${id} not started: ${String(error)}`);
        throw new HttpProblem(
          503,
          'WORKFLOW_UNAVAILABLE',
          '工作流服务暂时不可用',
          '备案未提交，请稍后重试',
          {},
          RETRY_AFTER_SECONDS,
        );
      }
    }
    const location = `/api/v1/filings/${id}`;
    const response = { id, status: 'SUBMITTED', location };
    if (key)
      await em.fork().nativeUpdate(IdempotencyRecord, { user_id: user.id, key }, { status: 202, response });
    res.status(202).location(location).json(response);
  });

  router.post('/filings/:id/change', citizen, async (req, res) => {
    const body = FilingChange.parse(req.body);
    const user = currentUser(res);
    const filing = await visibleFiling(deps.orm.em.fork(), user, req.params.id as string);
    // The create route's rule holds for a change too: a changed treatment place stays outside the province.
    if (body.mdtrtarea_admdvs) requireCrossProvince(body.mdtrtarea_admdvs, filing.prov_admdvs);
    const handle = deps.temporal.workflow.getHandle(filing.id);
    await applied(
      handle.executeUpdate(changeFilingUpdate, { args: [{ ...body, requested_by: user.username }] }),
      '变更',
    );
    res.json(await currentCase(deps.orm.em.fork(), user, filing.id));
  });

  router.post('/filings/:id/cancel', citizen, async (req, res) => {
    const body = FilingCancel.parse(req.body);
    const user = currentUser(res);
    const filing = await visibleFiling(deps.orm.em.fork(), user, req.params.id as string);
    const handle = deps.temporal.workflow.getHandle(filing.id);
    await applied(
      handle.executeUpdate(cancelFilingUpdate, {
        args: [{ reason: body.reason, requested_by: user.username }],
      }),
      '取消',
    );
    res.json(await currentCase(deps.orm.em.fork(), user, filing.id));
  });

  router.post('/filings/:id/more-info', citizen, async (req, res) => {
    const body = MoreInfoAnswer.parse(req.body);
    const user = currentUser(res);
    const em = deps.orm.em.fork();
    const filing = await visibleFiling(em, user, req.params.id as string);
    const referral = await em.findOne(Referral, { filing_id: filing.id });
    if (referral?.status !== 'MORE_INFO') {
      throw new HttpProblem(
        409,
        'NO_MORE_INFO_PENDING',
        '无需补充材料',
        '这个备案目前没有等待补充的材料请求',
      );
    }
    const answer = { ...body, answered_by: user.username };
    const latest = await em.findOne(HumanTask, { case_id: filing.id }, { orderBy: { created_at: 'desc' } });
    if (latest?.workflow_id.startsWith('referral-')) {
      // A review started by filing v1 runs in a referral child that takes the answer by signal only.
      await applied(
        deps.temporal.workflow.getHandle(latest.workflow_id).signal(answerMoreInfoSignal, answer),
        '补充材料',
      );
    } else {
      // An update: the case accepts the answer or refuses it (no request waiting), and says which.
      const answer_id = idempotencyKey(req) ?? randomUUID();
      await applied(
        deps.temporal.workflow.getHandle(filing.id).executeUpdate(answerMoreInfoUpdate, {
          updateId: `answer-${answer_id}`,
          args: [{ ...answer, answer_id }],
        }),
        '补充材料',
      );
    }
    res.status(202).json({ id: filing.id, accepted: true });
  });

  return router;
}

/** The person's insured place and province, as a new filing records them (404 for an unknown person). */
export async function insuredPlace(
  em: ReturnType<CaseDeps['orm']['em']['fork']>,
  psn_no: string,
): Promise<{ insuplc: string; prov_admdvs: string }> {
  const person = await em.findOne(InsuredPerson, { psn_no });
  if (!person)
    throw new HttpProblem(404, 'NOT_FOUND', '未找到参保人', '没有找到你的参保信息，请联系参保地经办机构');
  const insuplc = person.insuplc_admdvs.unwrap().admdvs;
  const region = await em.findOne(Admdvs, { admdvs: insuplc });
  return { insuplc, prov_admdvs: region?.prov_admdvs ?? provinceOf(insuplc) };
}

/** The filing workflow's input for a stored filing (`submitted_at` only for a case dated in the past). */
export function filingInput(
  id: string,
  psn_no: string,
  body: FilingCreate,
  submitted_by: string,
  prov_admdvs: string,
  submitted_at?: string,
): FilingInput {
  return {
    filing_id: id,
    psn_no,
    category: body.category,
    mdtrtarea_admdvs: body.mdtrtarea_admdvs,
    fixmedins_code: body.fixmedins_code,
    begndate: body.begndate,
    enddate: body.enddate,
    commitment: body.commitment,
    emergency_adm_date: body.emergency_adm_date,
    retro: body.retro,
    referral: body.referral
      ? { refl_fil_type: body.referral.refl_fil_type, summary: { ...body.referral, tel: body.tel } }
      : null,
    form: body,
    submitted_by,
    prov_admdvs,
    ...(submitted_at ? { submitted_at } : {}),
  };
}

/** 跨省 only: a treatment place inside the insured province is not a cross-province filing. */
function requireCrossProvince(mdtrtarea_admdvs: string, prov_admdvs: string): void {
  if (provinceOf(mdtrtarea_admdvs) !== prov_admdvs) return;
  throw fieldProblem('mdtrtarea_admdvs', '就医地须在参保省份以外（跨省异地就医），请重新选择');
}

/** A filing still in force or on its way there: the business guards compare a new one against these. */
const LIVE: FilingStatus[] = ['SUBMITTED', 'UNDER_REVIEW', 'NEEDS_ATTENTION', 'ACTIVE'];
/** A referral filing whose review has not ended. */
const IN_REVIEW: FilingStatus[] = ['SUBMITTED', 'UNDER_REVIEW', 'NEEDS_ATTENTION'];

/**
 * `filing-<psn_no>-<time><random>`: readable, ordered by time, and without the read-then-count race
 * of a per-person counter; Temporal's workflow-id uniqueness stays the last guard.
 */
export function newFilingId(psn_no: string, now = Date.now()): string {
  return `filing-${psn_no}-${now.toString(36)}-${randomBytes(4).toString('hex')}`;
}

/**
 * Stores a new filing and its idempotency record in one transaction that holds the person's advisory
 * lock, so the business guards see every filing of theirs — two identical submissions at once make one
 * case. 'twin': a request with the same key got there first.
 */
export async function storeFiling(
  orm: CaseDeps['orm'],
  f: {
    body: FilingCreate;
    psn_no: string;
    insuplc: string;
    prov_admdvs: string;
    user_id: string;
    key: string | undefined;
    hash: string;
    /** A fixed id and an earlier submission instant: demo cases only. */
    id?: string;
    created_at?: Date;
  },
): Promise<string | 'twin'> {
  const { body, psn_no, key } = f;
  try {
    return await orm.em.fork().transactional(async (tx) => {
      await tx.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`filing:${psn_no}`]);
      if (key && (await tx.findOne(IdempotencyRecord, { user_id: f.user_id, key }))) return 'twin';
      guardAgainstDuplicates(body, await tx.find(Filing, { psn_no, status: { $in: LIVE } }));
      const id = f.id ?? newFilingId(psn_no);
      const now = f.created_at ?? new Date();
      tx.create(Filing, {
        id,
        psn_no,
        insuplc_admdvs: f.insuplc,
        prov_admdvs: f.prov_admdvs,
        category: body.category,
        status: 'SUBMITTED',
        mdtrtarea_admdvs: body.mdtrtarea_admdvs,
        fixmedins_code: body.fixmedins_code,
        begndate: body.begndate,
        enddate: body.enddate,
        commitment: body.commitment,
        deemed: false,
        retro: body.retro !== null,
        trt_dcla_detl_sn: null,
        effective_at: null,
        reason: null,
        memo: body.memo ?? null,
        form: body,
        created_at: now,
        updated_at: now,
        projection_seq: 0,
      });
      if (key) {
        tx.create(IdempotencyRecord, {
          key,
          user_id: f.user_id,
          request_hash: f.hash,
          case_id: id,
          status: null,
          response: null,
          created_at: now,
        });
      }
      return id;
    });
  } catch (error) {
    // Only a twin with the same key can collide now (the lock serialises one person's filings).
    if (error instanceof UniqueConstraintViolationException && key) return 'twin';
    throw error;
  }
}

/** 409 with the existing filing's id: a double click, a second long-term filing, a second open referral. */
function guardAgainstDuplicates(body: FilingCreate, live: Filing[]): void {
  const refusal = (code: ProblemCode, title: string, detail: string, existing: Filing) =>
    new HttpProblem(409, code, title, detail, { existing_id: existing.id });
  const openReferral = live.find(
    (f) =>
      body.category === 'referral' &&
      f.category === 'referral' &&
      IN_REVIEW.includes(f.status) &&
      f.mdtrtarea_admdvs === body.mdtrtarea_admdvs,
  );
  if (openReferral) {
    throw refusal(
      'REFERRAL_DUPLICATE',
      '已有转往同一就医地的转诊',
      `转往该就医地的转诊（编号 ${openReferral.id}，${cnDate(openReferral.begndate)} 起）正在审核中，请等待审核结果，无需重复提交`,
      openReferral,
    );
  }
  const identical = live.find(
    (f) =>
      f.category === body.category &&
      f.mdtrtarea_admdvs === body.mdtrtarea_admdvs &&
      f.begndate === body.begndate,
  );
  if (identical) {
    throw refusal(
      'FILING_DUPLICATE',
      '已有相同的备案',
      `相同类别、就医地和开始日期（${cnDate(identical.begndate)}）的备案（编号 ${identical.id}）${identical.status === 'ACTIVE' ? '已生效' : '正在办理'}，无需重复提交`,
      identical,
    );
  }
  const longTerm = LONG_TERM_CATEGORIES.includes(body.category)
    ? live.find((f) => LONG_TERM_CATEGORIES.includes(f.category))
    : undefined;
  if (longTerm) {
    throw refusal(
      'LONG_TERM_FILING_EXISTS',
      '已有长期备案',
      `你已有一份长期备案（编号 ${longTerm.id}，${cnDate(longTerm.begndate)} 起），同一时间只能有一份；如需更换就医地，请对现有备案办理变更`,
      longTerm,
    );
  }
}
