import { Router } from 'express';
import { Filing, Hospital, InsuredPerson, provinceOf } from '../../db/entities';
import { requireRole } from '../auth/middleware';
import { type CaseDeps, currentUser } from '../context';
import { HospitalPersonQuery } from '../schemas/hospital';
import { hospitalFilingScope, hospitalPersonScope, notFound, present } from '../scope';

/** What a hospital reads before admission: whether the person in front of it has a filing for its province. */
export function hospitalRouter(deps: CaseDeps): Router {
  const router = Router();
  router.get('/hospital/persons/:psn_no', requireRole('hospital'), async (req, res) => {
    const { mdtrt_cert_no } = HospitalPersonQuery.parse(req.query);
    const user = currentUser(res);
    const psn_no = req.params.psn_no as string;
    const em = deps.orm.em.fork();
    // A wrong certificate is answered like an unknown person, so psn_no alone reveals nothing.
    const person = await em.findOne(InsuredPerson, hospitalPersonScope(user, psn_no, mdtrt_cert_no));
    const hospital = await em.findOne(Hospital, { fixmedins_code: user.fixmedins_code ?? '' });
    if (!person || !hospital) throw notFound('insured person', psn_no);
    const filings = await em.find(
      Filing,
      hospitalFilingScope(psn_no, provinceOf(hospital.admdvs.unwrap().admdvs)),
      { orderBy: { begndate: 'desc', id: 'desc' } },
    );
    res.json(
      present(
        {
          psn_no,
          filings: filings.map((f) => ({
            category: f.category,
            status: f.status,
            mdtrtarea_admdvs: f.mdtrtarea_admdvs,
            begndate: f.begndate,
            enddate: f.enddate,
          })),
        },
        user,
      ),
    );
  });
  return router;
}
