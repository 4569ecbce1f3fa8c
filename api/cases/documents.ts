import { createHash } from 'node:crypto';
import express, { type RequestHandler, Router } from 'express';
import { z } from 'zod';
import { CaseDocument } from '../../db/entities';
import { requireRole } from '../auth/middleware';
import { type CaseDeps, currentUser } from '../context';
import { idempotencyKey, keyedUuid } from '../idempotency';
import { HttpProblem } from '../problem';
import { DocumentUploadQuery } from '../schemas';
import { documentView, visibleFiling } from './read';

/** The largest file a citizen may upload for a case. */
export const MAX_DOCUMENT_BYTES = 5 * 1024 * 1024;

/** The accepted types, each with the bytes its files begin with (so a renamed file is refused too). */
export const SIGNATURES: Record<CaseDocument['content_type'], Buffer> = {
  'application/pdf': Buffer.from('%PDF-'),
  'image/jpeg': Buffer.from([0xff, 0xd8, 0xff]),
  'image/png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
};

export const wrongType = () =>
  new HttpProblem(415, 'DOCUMENT_TYPE_NOT_ALLOWED', '文件类型不支持', '只能上传 PDF、JPG 或 PNG 文件');

// The body is read only after the type is known to be acceptable; a larger one stops at the limit.
export const rawBody: RequestHandler = (req, res, next) => {
  express.raw({ type: () => true, limit: MAX_DOCUMENT_BYTES })(req, res, (error?: unknown) => {
    if ((error as { type?: string } | undefined)?.type === 'entity.too.large') {
      next(new HttpProblem(413, 'DOCUMENT_TOO_LARGE', '文件过大', '单个文件不能超过 5 MB'));
      return;
    }
    next(error);
  });
};

/**
 * `POST /filings/{id}/documents` (the file as the body, its type as Content-Type, `?name=`): stored
 * with the case; `GET /filings/{id}/documents/{documentId}` gives it back to whoever may see the case.
 */
export function documentsRouter(deps: CaseDeps): Router {
  const router = Router();

  router.post(
    '/filings/:id/documents',
    requireRole('citizen'),
    async (req, res, next) => {
      res.locals.documentName = DocumentUploadQuery.parse(req.query).name;
      await visibleFiling(deps.orm.em.fork(), currentUser(res), req.params.id as string);
      if (!(contentType(req) in SIGNATURES)) throw wrongType();
      next();
    },
    rawBody,
    storeDocument(
      deps,
      (req) => req.params.id as string,
      (d) => `/api/v1/filings/${d.case_id}/documents/${d.id}`,
      documentView,
    ),
  );

  router.get('/filings/:id/documents/:documentId', async (req, res) => {
    const em = deps.orm.em.fork();
    const filing = await visibleFiling(em, currentUser(res), req.params.id as string);
    const id = z.uuid().safeParse(req.params.documentId);
    const document = id.success
      ? await em.findOne(CaseDocument, { id: id.data, case_id: filing.id }, { populate: ['content'] })
      : null;
    if (!document) throw new HttpProblem(404, 'NOT_FOUND', 'Not found', 'no such document');
    sendDocument(res, document);
  });

  return router;
}

/**
 * An upload's last step (after `rawBody`): the body checked against its declared type and stored with
 * the case; 201 with its Location and the view of it. Shared by the filings' documents and the
 * tickets' attachments.
 */
export function storeDocument<V>(
  deps: CaseDeps,
  caseIdOf: (req: express.Request) => string,
  locationOf: (d: CaseDocument) => string,
  view: (d: CaseDocument) => V,
): RequestHandler {
  return async (req, res) => {
    const user = currentUser(res);
    const type = contentType(req) as CaseDocument['content_type'];
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (body.length === 0) throw new HttpProblem(400, 'DOCUMENT_EMPTY', '文件为空', '上传的文件没有内容');
    if (!body.subarray(0, SIGNATURES[type].length).equals(SIGNATURES[type])) throw wrongType();
    const em = deps.orm.em.fork();
    const case_id = caseIdOf(req);
    const name = res.locals.documentName as string;
    const sha256 = createHash('sha256').update(body).digest('hex');
    // One document per Idempotency-Key, or without one per content and name: a retried upload is stored once.
    const key = idempotencyKey(req) ?? `content:${sha256}:${name}`;
    const id = keyedUuid(`${case_id}:${user.username}:${key}`);
    await em
      .getKnex()('case_document')
      .insert({
        id,
        case_id,
        name,
        content_type: type,
        size: body.length,
        sha256,
        content: body,
        uploaded_by: user.username,
        created_at: new Date(),
      })
      .onConflict('id')
      .ignore();
    const document = await em.findOneOrFail(CaseDocument, { id });
    res.status(201).location(locationOf(document));
    res.json(view(document));
  };
}

/** A stored document sent back as it was uploaded (never sniffed into another type). */
export function sendDocument(res: express.Response, document: CaseDocument): void {
  res
    .type(document.content_type)
    .set('content-disposition', `inline; filename*=UTF-8''${encodeURIComponent(document.name)}`)
    .set('x-content-type-options', 'nosniff')
    .send(document.content);
}

export const contentType = (req: express.Request) =>
  (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
