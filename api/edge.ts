import type { RequestHandler } from 'express';
import { HttpProblem, RETRY_AFTER_SECONDS, sendProblem } from './problem';
import { PathId } from './schemas';

/**
 * Every request is answered within `ms`: a dependency that hangs (a paused database, a stuck
 * workflow) gets the caller a 503 with `Retry-After`, not an open socket. The work itself may still
 * finish; a repeat with the same Idempotency-Key then gets its answer.
 */
export function requestDeadline(ms: number): RequestHandler {
  return (_req, res, next) => {
    const timer = setTimeout(() => {
      if (res.headersSent) return;
      sendProblem(
        res,
        {
          type: 'https://yidi.dev/problems/request-timeout',
          code: 'REQUEST_TIMEOUT',
          title: '请求超时',
          status: 503,
          detail: `请求未能在 ${Math.ceil(ms / 1000)} 秒内完成，可能仍在处理；请稍后重试（提交类请求请带同一 Idempotency-Key，不会重复办理）`,
        },
        RETRY_AFTER_SECONDS,
      );
    }, ms);
    const stop = () => clearTimeout(timer);
    res.once('finish', stop);
    res.once('close', stop);
    next();
  };
}

// `/filings/<id>…` and `/tasks/<id>…` as sent (still percent-encoded).
const ID_ROUTE = /^\/(?:filings|tasks)\/([^/]+)/;

/**
 * Path ids are checked before any route reads them: one that does not decode is a 400, one that is
 * not the shape of our ids (NUL, a lone surrogate, 10 000 characters) names nothing and is a 404 —
 * either way no database query sees it.
 */
export const pathIdGuard: RequestHandler = (req, _res, next) => {
  const raw = ID_ROUTE.exec(req.path)?.[1];
  if (raw === undefined) return next();
  let id: string;
  try {
    id = decodeURIComponent(raw);
  } catch {
    throw new HttpProblem(400, 'BAD_PATH', '地址无法解码', '地址中含有无效的百分号编码，请检查链接');
  }
  if (!PathId.safeParse({ id }).success) {
    throw new HttpProblem(404, 'NOT_FOUND', '未找到', '没有这个编号的备案或任务，请检查编号');
  }
  next();
};
