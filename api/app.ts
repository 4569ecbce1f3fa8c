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

/** The built web app (`bin/web-build.ts` builds web/ into it on start). */
const webRoot = path.resolve(__dirname, '..', 'dist', 'web');

/** The app's own routes (/login, /staff/tasks/…) are the app's index.html; vue-router shows the page. */
const webApp: express.RequestHandler = (req, res, next) => {
  if (
    (req.method !== 'GET' && req.method !== 'HEAD') ||
    req.path.startsWith('/api/') ||
    req.path.startsWith('/assets/') ||
    !req.accepts('html')
  ) {
    next();
    return;
  }
  res.sendFile(path.join(webRoot, 'index.html'), { headers: { 'cache-control': 'no-cache' } }, (error) => {
    if (error) next();
  });
};

/** The HTTP surface: health, the versioned API for every actor, and the web app. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(requestDeadline(deps.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS));
  app.use(express.json({ limit: '2mb' }));
  app.use(healthRouter(deps));
  if (deps.cases) app.use('/api/v1', apiV1({ ...deps.cases, log: deps.log }));
  // Hashed assets never change; index.html is revalidated so a new build is picked up at once.
  app.use('/assets', express.static(path.join(webRoot, 'assets'), { immutable: true, maxAge: '1y' }));
  app.use(webApp);
  app.use(notFound);
  app.use(problemHandler(deps.log));
  return app;
}
