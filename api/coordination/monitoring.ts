/**
 * 运行监测 (GET /api/v1/monitoring): the province's direct-settlement rate, settlement failures by
 * category and by province pair, ticket SLA compliance and 预付金 usage, read from the projections
 * (settlement, manual_claim, ticket, advance_fund rows). Staff, supervisors and coordinators see the
 * pairs where their province is the insured or the treatment side.
 */
import type { Knex } from '@mikro-orm/knex';
import { Router } from 'express';
import type { MonitoringView, TicketCategory } from '../../cases';
import { readAdvanceFunds } from '../../db/advance-funds';
import { cstMonthRange } from '../../settlement/clearing-statement';
import { requireRole } from '../auth/middleware';
import { type CaseDeps, currentUser } from '../context';
import { MonitoringQuery } from '../schemas/monitoring';

type Db = Knex | Knex.Transaction;

/** The CST month (`YYYY-MM`) of a timestamptz column, as cstMonthRange counts months (UTC+8). */
const cstMonth = (column: string) =>
  `to_char((${column} at time zone 'UTC') + interval '8 hours', 'YYYY-MM')`;

/** Every month from `from` to `to`, both included. */
function monthsOf(from: string, to: string): string[] {
  const out: string[] = [];
  let [y, m] = from.split('-').map(Number) as [number, number];
  for (;;) {
    const month = `${y}-${String(m).padStart(2, '0')}`;
    out.push(month);
    if (month >= to) return out;
    [y, m] = m === 12 ? [y + 1, 1] : [y, m + 1];
  }
}

/** part ÷ whole in ppm, rounded half up, exact for any fen (BigInt); 0 when there is no whole. */
function ppm(part: number, whole: number): number {
  if (whole <= 0) return 0;
  const p = BigInt(part) * 1_000_000n;
  const w = BigInt(whole);
  return Number((2n * p + w) / (2n * w));
}

/**
 * The view for one province over whole CST months. Direct: cross-province settlements' medfee_sumamt
 * net of reversals (a reversal counts in its own month, as clearing does); manual: 手工报销 claims not
 * rejected, by the month the stay was converted. Tickets withdrawn (raised by mistake) count nowhere;
 * failures are the others raised in the span, SLA compliance the share of those closed in the span on
 * or before their first responder's due time.
 */
export async function readMonitoring(
  db: Db,
  q: { from: string; to: string; prov_admdvs: string },
): Promise<MonitoringView> {
  const start = cstMonthRange(q.from).from;
  const end = cstMonthRange(q.to).to;
  const p2 = q.prov_admdvs.slice(0, 2);

  const settlements = await db('settlement')
    .select(db.raw(`${cstMonth('setl_time')} as month`))
    .sum({ direct: 'medfee_sumamt' })
    .select(db.raw(`count(*) filter (where kind = 'SETTLEMENT') as settlements`))
    .where('setl_time', '>=', start)
    .andWhere('setl_time', '<', end)
    .andWhereRaw('left(insuplc_admdvs, 2) <> left(mdtrtarea_admvs, 2)')
    .andWhere((w) =>
      w.whereRaw('left(insuplc_admdvs, 2) = ?', [p2]).orWhereRaw('left(mdtrtarea_admvs, 2) = ?', [p2]),
    )
    .groupByRaw('1');

  const manual = await db('manual_claim as c')
    .join('ticket as t', 't.ticket_id', 'c.ticket_id')
    .select(db.raw(`${cstMonth('c.created_at')} as month`))
    .sum({ manual: 'c.medfee_sumamt' })
    .where('c.created_at', '>=', start)
    .andWhere('c.created_at', '<', end)
    .andWhereNot('c.status', 'REJECTED')
    .whereNotNull('c.medfee_sumamt')
    .andWhere((w) => w.where('t.insured_prov', q.prov_admdvs).orWhere('t.treatment_prov', q.prov_admdvs))
    .groupByRaw('1');

  const tickets = () =>
    db('ticket')
      .where((w) => w.where('insured_prov', q.prov_admdvs).orWhere('treatment_prov', q.prov_admdvs))
      .whereNot('status', 'WITHDRAWN');
  const failed = () => tickets().where('raised_at', '>=', start).andWhere('raised_at', '<', end);
  const failuresByMonth = await failed()
    .select(db.raw(`${cstMonth('raised_at')} as month`))
    .count({ n: '*' })
    .groupByRaw('1');
  const byCategory = await failed().select('category').count({ n: '*' }).groupBy('category');
  const byPair = await failed()
    .select('insured_prov', 'treatment_prov')
    .count({ n: '*' })
    .groupBy('insured_prov', 'treatment_prov')
    .orderBy([{ column: 'n', order: 'desc' }, 'insured_prov', 'treatment_prov']);
  const sla = (await tickets()
    .whereNotNull('closed_at')
    .andWhere('closed_at', '>=', start)
    .andWhere('closed_at', '<', end)
    .select(db.raw('count(*) as closed'), db.raw('count(*) filter (where closed_at <= sla_due_at) as met'))
    .first()) as { closed: string | number; met: string | number } | undefined;

  const of = <T extends { month: string }>(rows: T[], month: string) => rows.find((r) => r.month === month);
  const months = monthsOf(q.from, q.to).map((month) => {
    const s = of(settlements as unknown as { month: string; direct: string; settlements: string }[], month);
    const m = of(manual as unknown as { month: string; manual: string }[], month);
    const f = of(failuresByMonth as unknown as { month: string; n: string }[], month);
    return {
      month,
      direct_amount: Number(s?.direct ?? 0),
      manual_amount: Number(m?.manual ?? 0),
      settlements: Number(s?.settlements ?? 0),
      failures: Number(f?.n ?? 0),
    };
  });
  const direct = months.reduce((a, m) => a + m.direct_amount, 0);
  const all = direct + months.reduce((a, m) => a + m.manual_amount, 0);
  return {
    from: q.from,
    to: q.to,
    direct_settlement_rate_ppm: ppm(direct, all),
    months,
    failures_by_category: Object.fromEntries(
      (byCategory as unknown as { category: TicketCategory; n: string }[]).map((r) => [
        r.category,
        Number(r.n),
      ]),
    ),
    failures_by_pair: (
      byPair as unknown as { insured_prov: string; treatment_prov: string; n: string }[]
    ).map((r) => ({ insured_prov: r.insured_prov, treatment_prov: r.treatment_prov, count: Number(r.n) })),
    ticket_sla_compliance_ppm: ppm(Number(sla?.met ?? 0), Number(sla?.closed ?? 0)),
    advance_funds: await readAdvanceFunds(db, [q.prov_admdvs]),
  };
}

export function monitoringRouter(deps: Pick<CaseDeps, 'orm'>): Router {
  const router = Router();
  router.get('/monitoring', requireRole('staff', 'supervisor', 'coordinator'), async (req, res) => {
    const q = MonitoringQuery.parse(req.query);
    const user = currentUser(res);
    // The three roles all work for a province (the seed gives each one); none means nothing to show.
    const view = await readMonitoring(deps.orm.em.getKnex(), { ...q, prov_admdvs: user.prov_admdvs ?? '' });
    res.json(view);
  });
  return router;
}
