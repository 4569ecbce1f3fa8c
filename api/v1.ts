import { Router } from 'express';
import { authenticate } from './auth/middleware';
import { authRouter } from './auth/routes';
import { documentsRouter } from './cases/documents';
import { casesRouter } from './cases/routes';
import { staysRouter } from './cases/stays';
import { citizenRouter } from './citizen/routes';
import { compensationRouter } from './compensation';
import type { CaseDeps } from './context';
import { clearingRouter } from './coordination/clearing';
import { feeChecksRouter } from './coordination/fee-checks';
import { monitoringRouter } from './coordination/monitoring';
import { ticketsRouter } from './coordination/tickets';
import { pathIdGuard } from './edge';
import { hospitalRouter } from './hospital/routes';
import { transactionsRouter } from './hospital/transactions';
import { openApiDocument } from './openapi';
import { staffRouter } from './staff/routes';
import { vocabulary } from './vocabulary';

/** `/api/v1`: the login and the OpenAPI document are public; everything else needs a token. */
export function apiV1(deps: CaseDeps): Router {
  const router = Router();
  const document = openApiDocument();
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  router.get('/vocabulary', (_req, res) => {
    res.json(vocabulary());
  });
  router.use(authRouter(deps));
  router.use(authenticate(deps.tokenSecret));
  router.use(pathIdGuard);
  router.use(citizenRouter(deps));
  router.use(staffRouter(deps));
  router.use(casesRouter(deps));
  router.use(staysRouter(deps));
  router.use(hospitalRouter(deps));
  router.use(transactionsRouter(deps));
  router.use(compensationRouter(deps));
  router.use(feeChecksRouter(deps));
  router.use(clearingRouter(deps));
  router.use(documentsRouter(deps));
  router.use(ticketsRouter(deps));
  router.use(monitoringRouter(deps));
  return router;
}
