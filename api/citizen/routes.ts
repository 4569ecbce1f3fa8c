import { randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { Router } from 'express';
import {
  answerMoreInfoSignal,
  answerMoreInfoUpdate,
  cancelFilingUpdate,
  changeFilingUpdate,
  type FilingInput,
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
import { findRecord, idempotencyKey, requestHash } from '../idempotency';
import { HttpProblem } from '../problem';
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

    // A finished earlier request with this key is answered as it was; an unfinished one is resumed.
    const replayed = (record: IdempotencyRecord | null): boolean => {
      if (!record?.status || !record.response) return false;
      const location = record.response.location;
      if (typeof location === 'string') res.location(location);
      res.status(record.status).json(record.response);
      return true;
    };
    const earlier = key ? await findRecord(em, user.id, key, hash) : null;
    if (replayed(earlier)) return;

    const person = await em.findOne(InsuredPerson, { psn_no });
    if (!person) throw new HttpProblem(404, 'NOT_FOUND', 'Not found', `no insured person ${psn_no}`);
    const insuplc = person.insuplc_admdvs.unwrap().admdvs;
    const region = await em.findOne(Admdvs, { admdvs: insuplc });
    const prov_admdvs = region?.prov_admdvs ?? provinceOf(insuplc);
    requireCrossProvince(body.mdtrtarea_admdvs, prov_admdvs);

    let id = earlier?.case_id ?? null;
    if (!id) {
      try {
        id = await em.fork().transactional(async (tx) => {
          const n = (await tx.count(Filing, { psn_no })) + 1;
          const newId = `filing-${psn_no}-${n}`;
          const now = new Date();
          tx.create(Filing, {
            id: newId,
            psn_no,
            insuplc_admdvs: insuplc,
            prov_admdvs,
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
              user_id: user.id,
              request_hash: hash,
              case_id: newId,
              status: null,
              response: null,
              created_at: now,
            });
          }
          return newId;
        });
      } catch (error) {
        // A concurrent twin with the same key won the race: answer as it will.
        if (
          error instanceof UniqueConstraintViolationException &&
          key &&
          replayed(await findRecord(em.fork(), user.id, key, hash))
        )
          return;
        if (error instanceof UniqueConstraintViolationException) {
          throw new HttpProblem(
            409,
            'FILING_CONCURRENT',
            'Conflict',
            'a filing was submitted at the same moment; try again',
          );
        }
        throw error;
      }
    }

    const input: FilingInput = {
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
      submitted_by: user.username,
      prov_admdvs,
    };
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
          'Workflow service unavailable',
          'the filing was not submitted; try again later',
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
      'the change',
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
      'the cancellation',
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
        'Refused',
        'no request for more information is waiting for an answer',
      );
    }
    const answer = { ...body, answered_by: user.username };
    const latest = await em.findOne(HumanTask, { case_id: filing.id }, { orderBy: { created_at: 'desc' } });
    if (latest?.workflow_id.startsWith('referral-')) {
      // A review started by filing v1 runs in a referral child that takes the answer by signal only.
      await applied(
        deps.temporal.workflow.getHandle(latest.workflow_id).signal(answerMoreInfoSignal, answer),
        'the answer',
      );
    } else {
      // An update: the case accepts the answer or refuses it (no request waiting), and says which.
      const answer_id = idempotencyKey(req) ?? randomUUID();
      await applied(
        deps.temporal.workflow.getHandle(filing.id).executeUpdate(answerMoreInfoUpdate, {
          updateId: `answer-${answer_id}`,
          args: [{ ...answer, answer_id }],
        }),
        'the answer',
      );
    }
    res.status(202).json({ id: filing.id, accepted: true });
  });

  return router;
}

/** 跨省 only: a treatment place inside the insured province is not a cross-province filing. */
function requireCrossProvince(mdtrtarea_admdvs: string, prov_admdvs: string): void {
  if (provinceOf(mdtrtarea_admdvs) !== prov_admdvs) return;
  throw new HttpProblem(
    400,
    'VALIDATION_FAILED',
    'The request is not valid',
    'mdtrtarea_admdvs: not cross-province',
    {
      errors: [
        {
          path: 'mdtrtarea_admdvs',
          message: 'the treatment place must be outside the insured province (跨省)',
        },
      ],
    },
  );
}
