import path from 'node:path';
import express, { type Express } from 'express';
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../config';
import type { CaseDeps } from './context';
import { requestDeadline } from './edge';
import { type Dependency, healthRouter } from './health';
import { notFound, problemHandler } from './problem';
import { apiV1 } from './v1';

export interface AppDeps {
  database: Dependency;
  temporal: Dependency;
  log: (message: string) => void;
  /** Every request is answered within this many ms (503 + Retry-After otherwise); default 10 s. */
  requestTimeoutMs?: number;
  /** The case API (`/api/v1`); absent in a health-only app. */
  cases?: Omit<CaseDeps, 'log'>;
}

const webRoot = path.resolve(__dirname, '..', 'web');

/** The HTTP surface: health, the versioned API for every actor, and the web UI's static files. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(requestDeadline(deps.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS));
  app.use(express.json({ limit: '2mb' }));
  app.use(healthRouter(deps));
  if (deps.cases) app.use('/api/v1', apiV1({ ...deps.cases, log: deps.log }));
  app.use(express.static(webRoot, { index: 'index.html' }));
  app.use(notFound);
  app.use(problemHandler(deps.log));
  return app;
}
