import type { FilterQuery } from '@mikro-orm/core';
import { Router } from 'express';
import { Admdvs, Filing, InsuredPerson } from '../../db/entities';
import { type CaseDeps, currentUser } from '../context';
import { FilingQuery } from '../schemas';
import { filingScope, notFound, personScope, present } from '../scope';
import { currentCase, filingView, personView } from './read';

/** Reading cases (who sees which: `api/scope.ts`) and the region names (any logged-in user). */
export function casesRouter(deps: CaseDeps): Router {
  const router = Router();
  router.get('/filings', async (req, res) => {
    const q = FilingQuery.parse(req.query);
    const user = currentUser(res);
    const where: FilterQuery<Filing> = { $and: [filingScope(user)] };
    if (q.status) where.status = q.status;
    const [items, total] = await deps.orm.em.fork().findAndCount(Filing, where, {
      orderBy: { created_at: 'desc', id: 'desc' },
      limit: q.page_size,
      offset: (q.page - 1) * q.page_size,
    });
    res.json(present({ items: items.map(filingView), total, page: q.page, page_size: q.page_size }, user));
  });
  // 统筹区 names for the UI, which shows "成都市 510100" instead of a bare code; a small seeded table.
  router.get('/admdvs', async (_req, res) => {
    const items = await deps.orm.em.fork().find(Admdvs, {}, { orderBy: { admdvs: 'asc' } });
    res.json({
      items: items.map((a) => ({ admdvs: a.admdvs, admdvs_name: a.admdvs_name, prov_admdvs: a.prov_admdvs })),
    });
  });
  // 参保人: a person as they themself or their insured province's agency may see them, masked per role.
  router.get('/persons/:psn_no', async (req, res) => {
    const user = currentUser(res);
    const psn_no = req.params.psn_no as string;
    const person = await deps.orm.em.fork().findOne(InsuredPerson, { $and: [{ psn_no }, personScope(user)] });
    if (!person) throw notFound('insured person', psn_no);
    res.json(present(personView(person), user));
  });
  router.get('/filings/:id', async (req, res) => {
    const user = currentUser(res);
    res.json(await currentCase(deps.orm.em.fork(), user, req.params.id as string));
  });
  return router;
}
