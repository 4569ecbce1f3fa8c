import { Router } from 'express';
import { revokeReferralUpdate } from '../../cases';
import { requireRole } from '../auth/middleware';
import { currentCase, visibleFiling } from '../cases/read';
import { applied } from '../cases/temporal-errors';
import { type CaseDeps, currentUser } from '../context';
import { HttpProblem } from '../problem';
import { ReferralRevoke } from '../schemas';
import { taskRouter } from './tasks';

/** The agency side: every kind of task (one generic router) and 2502 revocation. */
export function staffRouter(deps: CaseDeps): Router {
  const router = Router();
  const reviewer = requireRole('staff', 'supervisor');
  router.use(taskRouter(deps));

  router.post('/filings/:id/revoke', reviewer, async (req, res) => {
    const body = ReferralRevoke.parse(req.body);
    const user = currentUser(res);
    const em = deps.orm.em.fork();
    const filing = await visibleFiling(em, user, req.params.id as string);
    if (!filing.trt_dcla_detl_sn)
      throw new HttpProblem(409, 'REFERRAL_NOT_APPROVED', '不能撤销', '只有已批准的转诊可以撤销');
    await applied(
      deps.temporal.workflow.getHandle(filing.id).executeUpdate(revokeReferralUpdate, {
        args: [
          {
            trt_dcla_detl_sn: filing.trt_dcla_detl_sn,
            psn_no: filing.psn_no,
            memo: body.memo,
            requested_by: user.username,
          },
        ],
      }),
      '撤销',
    );
    res.json(await currentCase(deps.orm.em.fork(), user, filing.id));
  });

  return router;
}
