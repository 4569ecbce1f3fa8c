import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { ZodError } from 'zod';
import { isDatabaseUnavailable } from '../db/orm';
import type { ProblemCode } from './problem-codes';
import { fieldLabel } from './schemas/primitives';

/** RFC 9457 problem details; every error the API answers has this shape and `application/problem+json`. */
export interface ProblemBody {
  type: string;
  /** Stable machine code (UPPER_SNAKE, catalogued in `problem-codes.ts`): clients branch on it, never on text. */
  code: ProblemCode;
  /** Chinese, short: what happened. */
  title: string;
  status: number;
  /** Chinese: what to do about it; dates as `YYYY年M月D日`. */
  detail?: string;
  instance?: string;
  /** Field-level reasons for a 400: each names the offending field by its path, and says what to fix. */
  errors?: { path: string; message: string }[];
  [extension: string]: unknown;
}

/** Thrown by handlers for an expected failure; the error handler answers it as problem+json. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: ProblemCode,
    readonly title: string,
    readonly detail?: string,
    readonly extensions: Record<string, unknown> = {},
    /** Seconds for a `Retry-After` header (503 and "still in flight" answers). */
    readonly retryAfter?: number,
  ) {
    super(detail ?? title);
  }
}

const TYPE_BASE = 'https://yidi.dev/problems/';

/** Seconds a client should wait after a 503 for a dependency that did not answer. */
export const RETRY_AFTER_SECONDS = 5;

/**
 * `YYYY年M月D日` in Asia/Shanghai: the one way a date is written in a problem's text. Takes a calendar
 * date (`2027-06-01`), an ISO instant (`2027-06-01T20:21:33.493Z` → 2027年6月2日) or a Date.
 */
export function cnDate(value: string | Date): string {
  const plain = typeof value === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(value) : null;
  if (plain) return `${Number(plain[1])}年${Number(plain[2])}月${Number(plain[3])}日`;
  const instant = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(instant.getTime())) return String(value);
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
  }).formatToParts(instant);
  const part = (type: string) => parts.find((p) => p.type === type)?.value;
  return `${part('year')}年${part('month')}月${part('day')}日`;
}

/** Every ISO date or instant inside a text (e.g. a workflow's refusal) rewritten as `YYYY年M月D日`. */
export function cnDatesIn(text: string): string {
  return text.replace(/\d{4}-\d{2}-\d{2}(?:T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?/g, (match) => cnDate(match));
}

export function sendProblem(res: Response, problem: ProblemBody, retryAfter?: number): void {
  if (retryAfter !== undefined) res.set('Retry-After', String(retryAfter));
  res.status(problem.status).type('application/problem+json').json(problem);
}

/** A zod error as a 400: each field by its path, with its Chinese label and what to fix. */
export function problemFromZod(error: ZodError, prefix: (string | number)[] = []): ProblemBody {
  const errors = error.issues.map((i) => {
    const path = [...prefix, ...i.path].map(String).join('.') || '(body)';
    const label = path === '(body)' ? '请求体' : fieldLabel(path);
    return { path, message: `${label}：${i.message}` };
  });
  return {
    type: `${TYPE_BASE}invalid-request`,
    code: 'VALIDATION_FAILED',
    title: '请求内容有误',
    status: 400,
    detail: errors.map((e) => e.message).join('；'),
    errors,
  };
}

/** One invalid field, answered like a zod error (for checks that need the database, e.g. 跨省). */
export function fieldProblem(path: string, message: string): HttpProblem {
  const text = `${fieldLabel(path)}：${message}`;
  return new HttpProblem(400, 'VALIDATION_FAILED', '请求内容有误', text, {
    errors: [{ path, message: text }],
  });
}

export const notFound: RequestHandler = (req, res) => {
  sendProblem(res, {
    type: `${TYPE_BASE}not-found`,
    code: 'NOT_FOUND',
    title: '未找到',
    status: 404,
    detail: `没有这个地址：${req.method} ${req.path.slice(0, 200)}`,
  });
};

/** body-parser's own errors carry an HTTP status, an `expose` flag and a `type`. */
interface HttpError {
  status?: number;
  expose?: boolean;
  type?: string;
}

function parserProblem(error: HttpError): ProblemBody | undefined {
  if (typeof error.status !== 'number' || error.status >= 500 || !error.expose) return undefined;
  if (error.type === 'entity.parse.failed')
    return problem(400, 'MALFORMED_JSON', '请求体不是合法的 JSON', '请检查 JSON 的括号、引号和逗号');
  if (error.type === 'entity.too.large')
    return problem(413, 'PAYLOAD_TOO_LARGE', '请求体过大', '请减少内容后重试（上限 2MB）');
  if (error.status === 415)
    return problem(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      '不支持的请求编码',
      '请使用 UTF-8 编码、未压缩的 JSON 请求体',
    );
  return problem(400, 'BAD_REQUEST', '请求无法读取', '请求在传输中断或无法读取，请重试');
}

function problem(status: number, code: ProblemCode, title: string, detail?: string): ProblemBody {
  return { type: `${TYPE_BASE}${slug(code)}`, code, title, status, detail };
}

/**
 * The error without its message: a database error's message holds the SQL and its parameters (a
 * citizen's phone number in a duplicate key), so only its class, SQLSTATE, constraint and stack frames
 * are logged.
 */
export function redactedError(error: unknown): string {
  if (!(error instanceof Error)) return `non-error thrown (${typeof error})`;
  const e = error as Error & { code?: unknown; constraint?: unknown; table?: unknown };
  const facts = [
    e.name,
    typeof e.code === 'string' ? `code ${e.code}` : '',
    typeof e.constraint === 'string' ? `constraint ${e.constraint}` : '',
    typeof e.table === 'string' ? `table ${e.table}` : '',
  ].filter(Boolean);
  const frames = (e.stack ?? '')
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .slice(0, 8);
  return [facts.join(', '), ...frames].join('\n');
}

/** The route pattern (`/filings/:id`), not the path: a path can carry a person's number. */
function routeOf(req: Request): string {
  const pattern = (req.route as { path?: string } | undefined)?.path;
  return `${req.method} ${typeof pattern === 'string' ? `${req.baseUrl}${pattern}` : '(no route)'}`;
}

/** Maps every error to problem+json; unexpected ones are logged (redacted) and answered without internals. */
export function problemHandler(log: (message: string) => void): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    if (res.headersSent) {
      // Already answered (e.g. by the request deadline): nothing to send; the work's end is only logged.
      // A handler finishing after the deadline's 503 fails to answer twice: expected, not worth a line.
      const late = (error as { code?: unknown }).code === 'ERR_HTTP_HEADERS_SENT';
      if (!(error instanceof HttpProblem) && !late)
        log(`error after the answer on ${routeOf(req)}: ${redactedError(error)}`);
      if (!res.writableEnded) res.end();
      return;
    }
    if (error instanceof HttpProblem) {
      return sendProblem(
        res,
        {
          type: `${TYPE_BASE}${slug(error.code)}`,
          code: error.code,
          title: error.title,
          status: error.status,
          detail: error.detail,
          ...error.extensions,
        },
        error.retryAfter,
      );
    }
    if (error instanceof ZodError) return sendProblem(res, problemFromZod(error));
    // Express could not decode a path parameter (`%ff%fe`): the address names nothing.
    if (error instanceof URIError) {
      return sendProblem(
        res,
        problem(400, 'BAD_PATH', '地址无法解码', '地址中含有无效的百分号编码，请检查链接'),
      );
    }
    const parsed = parserProblem(error as HttpError);
    if (parsed) return sendProblem(res, parsed);
    if (isDatabaseUnavailable(error)) {
      log(`database unavailable on ${routeOf(req)}: ${redactedError(error).split('\n')[0]}`);
      return sendProblem(
        res,
        problem(503, 'DATABASE_UNAVAILABLE', '数据库暂时不可用', '操作未执行，请稍后重试'),
        RETRY_AFTER_SECONDS,
      );
    }
    log(`unhandled error on ${routeOf(req)}: ${redactedError(error)}`);
    sendProblem(res, problem(500, 'INTERNAL', '服务器内部错误', '服务器未能完成请求，错误已记录'));
  };
}

function slug(code: string): string {
  return code.toLowerCase().replace(/_/g, '-');
}
