import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { ZodError } from 'zod';

/** RFC 9457 problem details; every error the API answers has this shape and `application/problem+json`. */
export interface ProblemBody {
  type: string;
  /** Stable machine code (UPPER_SNAKE), e.g. `FILING_LOCKED`, `TASK_NOT_CLAIMED`: clients branch on it, never on text. */
  code: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  /** Field-level reasons for a 400: each names the offending field by its path. */
  errors?: { path: string; message: string }[];
  [extension: string]: unknown;
}

/** Thrown by handlers for an expected failure; the error handler answers it as problem+json. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail?: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail ?? title);
  }
}

const TYPE_BASE = 'https://yidi.dev/problems/';

export function sendProblem(res: Response, problem: ProblemBody): void {
  res.status(problem.status).type('application/problem+json').json(problem);
}

export function problemFromZod(error: ZodError): ProblemBody {
  return {
    type: `${TYPE_BASE}invalid-request`,
    code: 'VALIDATION_FAILED',
    title: 'The request is not valid',
    status: 400,
    detail: error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '),
    errors: error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message })),
  };
}

export const notFound: RequestHandler = (req, res) => {
  sendProblem(res, {
    type: `${TYPE_BASE}not-found`,
    code: 'NOT_FOUND',
    title: 'Not found',
    status: 404,
    detail: `no resource at ${req.method} ${req.path}`,
  });
};

/** Maps every error to problem+json; unexpected ones are logged and answered without internals. */
export function problemHandler(log: (message: string) => void): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    if (error instanceof HttpProblem) {
      return sendProblem(res, {
        type: `${TYPE_BASE}${slug(error.code)}`,
        code: error.code,
        title: error.title,
        status: error.status,
        detail: error.detail,
        ...error.extensions,
      });
    }
    if (error instanceof ZodError) return sendProblem(res, problemFromZod(error));
    // body-parser's own errors (malformed JSON, too large) carry an HTTP status and an expose flag.
    const parserError = error as { status?: number; expose?: boolean; type?: string; message?: string };
    if (typeof parserError.status === 'number' && parserError.expose) {
      return sendProblem(res, {
        type: `${TYPE_BASE}${parserError.type === 'entity.parse.failed' ? 'malformed-json' : 'bad-request'}`,
        code: parserError.type === 'entity.parse.failed' ? 'MALFORMED_JSON' : 'BAD_REQUEST',
        title: parserError.type === 'entity.parse.failed' ? 'The body is not valid JSON' : 'Bad request',
        status: parserError.status,
        detail: parserError.message,
      });
    }
    log(
      `unhandled error on ${req.method} ${req.path}: ${error instanceof Error ? error.stack : String(error)}`,
    );
    sendProblem(res, {
      type: `${TYPE_BASE}internal`,
      code: 'INTERNAL',
      title: 'Internal error',
      status: 500,
      detail: 'the server failed to answer; the error was logged',
    });
  };
}

function slug(code: string): string {
  return code.toLowerCase().replace(/_/g, '-');
}
