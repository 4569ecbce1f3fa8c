import request from 'supertest';
import type { MonitoringView } from '../../cases';
import { type DemoSettlement, insertSettlements } from '../../db/clearing-demo';
import { startTestPlatform, type TestPlatform } from '../support/platform';

/**
 * 运行监测 over two months of a known set of projections: 海南 insured treated in 成都 (a reversal, a
 * same-province stay that is not cross-province, a 手工报销 claim and a rejected one), 海南 treated in
 * 北京, and 安徽 treated in 上海 — each province sees only its own pairs.
 */
let platform: TestPlatform;

const HOUR = 3_600_000;
/** An instant given in Beijing time. */
const cst = (day: string, time = '10:00') => new Date(new Date(`${day}T${time}:00Z`).getTime() - 8 * HOUR);

const settlement = (
  setl_id: string,
  insuplc_admdvs: string,
  mdtrtarea_admvs: string,
  hifp_pay: number,
  psn_cash_pay: number,
  day: number,
): DemoSettlement => ({
  setl_id,
  insuplc_admdvs,
  mdtrtarea_admvs,
  fixmedins_code: 'H51010000001',
  psn_no: `P${setl_id}`,
  insutype: '390',
  hifp_pay,
  maf_pay: 0,
  acct_pay: 0,
  psn_cash_pay,
  day,
});

const H1002 = settlement('H1002S01', '460000', '510100', 1_000_000, 100_000, 8);

function ticket(
  n: number,
  t: {
    category: string;
    status: 'OPEN' | 'RESOLVED' | 'MANUAL' | 'WITHDRAWN';
    insured_prov: string;
    treatment_prov: string;
    raised_at: Date;
    sla_due_at: Date;
    closed_at?: Date;
  },
) {
  return {
    ticket_id: `SEM${n}01`,
    mdtrt_id: `M${n}`,
    round: 1,
    category: t.category,
    status: t.status,
    first_responder: 'insured',
    insured_prov: t.insured_prov,
    treatment_prov: t.treatment_prov,
    insuplc_admdvs: t.insured_prov,
    mdtrtarea_admvs: t.treatment_prov,
    fixmedins_code: 'H51010000001',
    fixmedins_name: '四川大学华西医院',
    psn_no: `P${n}`,
    psn_name: '符海燕',
    description: '结算失败',
    raised_by: JSON.stringify({ role: 'system', user: null, side: null }),
    raised_at: t.raised_at,
    sla_due_at: t.sla_due_at,
    closed_at: t.closed_at ?? null,
    sides: JSON.stringify([]),
    retries: JSON.stringify([]),
    updated_at: t.closed_at ?? t.raised_at,
    projection_seq: 1,
  };
}

function manualClaim(n: number, ticket_id: string, status: string, medfee_sumamt: number, at: Date) {
  return {
    claim_id: `manual-claim-M${n}`,
    mdtrt_id: `M${n}`,
    ticket_id,
    psn_no: `P${n}`,
    insuplc_admdvs: '460000',
    prov_admdvs: '460000',
    status,
    medfee_sumamt,
    created_at: at,
    updated_at: at,
    projection_seq: 1,
  };
}

beforeAll(async () => {
  platform = await startTestPlatform({ temporal: false });
  const knex = platform.orm.em.getKnex();
  await insertSettlements(knex, '2026-10', [
    settlement('H1001S01', '460000', '510100', 3_000_000, 100_000, 3),
    H1002,
    // Reversed later in the month: it counts for nothing.
    { ...H1002, setl_id: 'H1002R01', reverses: 'H1002S01', day: 20 },
    // 海南 insured treated in 海南: not cross-province.
    settlement('H1003S01', '460000', '460100', 400_000, 100_000, 9),
    // 安徽 insured treated in 上海: another pair.
    settlement('A1001S01', '340100', '310100', 6_000_000, 1_000_000, 12),
  ]);
  await insertSettlements(knex, '2026-11', [settlement('H1004S01', '460000', '510100', 2_000_000, 0, 5)]);
  await knex('ticket').insert([
    // Closed a day after it was raised, well within the first responder's SLA.
    ticket(1, {
      category: 'filing_missing',
      status: 'RESOLVED',
      insured_prov: '460000',
      treatment_prov: '510000',
      raised_at: cst('2026-10-04'),
      sla_due_at: cst('2026-10-10'),
      closed_at: cst('2026-10-05'),
    }),
    // Raised on October's last evening (Beijing time), converted to 手工报销 after its SLA lapsed.
    ticket(2, {
      category: 'catalogue_unmapped',
      status: 'MANUAL',
      insured_prov: '460000',
      treatment_prov: '510000',
      raised_at: cst('2026-10-31', '23:30'),
      sla_due_at: cst('2026-11-04'),
      closed_at: cst('2026-11-06'),
    }),
    ticket(3, {
      category: 'filing_missing',
      status: 'OPEN',
      insured_prov: '460000',
      treatment_prov: '510000',
      raised_at: cst('2026-11-02'),
      sla_due_at: cst('2026-11-09'),
    }),
    // Raised by mistake: counted nowhere.
    ticket(4, {
      category: 'other',
      status: 'WITHDRAWN',
      insured_prov: '460000',
      treatment_prov: '510000',
      raised_at: cst('2026-11-03'),
      sla_due_at: cst('2026-11-10'),
      closed_at: cst('2026-11-03'),
    }),
    ticket(5, {
      category: 'timeout',
      status: 'OPEN',
      insured_prov: '460000',
      treatment_prov: '110000',
      raised_at: cst('2026-11-10'),
      sla_due_at: cst('2026-11-17'),
    }),
    ticket(6, {
      category: 'person_not_found',
      status: 'OPEN',
      insured_prov: '340000',
      treatment_prov: '310000',
      raised_at: cst('2026-10-15'),
      sla_due_at: cst('2026-10-22'),
    }),
    // Before the span.
    ticket(7, {
      category: 'filing_expired',
      status: 'OPEN',
      insured_prov: '460000',
      treatment_prov: '510000',
      raised_at: cst('2026-09-30', '23:30'),
      sla_due_at: cst('2026-10-09'),
    }),
  ]);
  await knex('manual_claim').insert([
    manualClaim(2, 'SEM201', 'PAID', 1_000_000, cst('2026-11-06')),
    manualClaim(3, 'SEM301', 'REJECTED', 9_999_999, cst('2026-11-07')),
  ]);
}, 180_000);
afterAll(async () => {
  await platform?.close();
});

async function monitoring(username: string, query: string) {
  return request(platform.app)
    .get(`/api/v1/monitoring?${query}`)
    .set(await platform.as(username));
}

test('海南 staff see the direct-settlement rate, failures, SLA compliance and 预付金 of their pairs', async () => {
  const res = await monitoring('staff-hi', 'from=2026-10&to=2026-11');
  expect(res.status).toBe(200);
  const v = res.body as MonitoringView;
  expect(v.months).toEqual([
    // 31,000 + 11,000 − 11,000 (reversed) yuan; the reversal is not a settlement. Ticket 2, raised at
    // 23:30 on 31 October Beijing time, is October's.
    { month: '2026-10', direct_amount: 3_100_000, manual_amount: 0, settlements: 2, failures: 2 },
    { month: '2026-11', direct_amount: 2_000_000, manual_amount: 1_000_000, settlements: 1, failures: 2 },
  ]);
  // 51,000 ÷ 61,000 = 83.6066% (the rejected claim aside): above the 70% target.
  expect(v.direct_settlement_rate_ppm).toBe(836_066);
  expect(v.failures_by_category).toEqual({ filing_missing: 2, catalogue_unmapped: 1, timeout: 1 });
  expect(v.failures_by_pair).toEqual([
    { insured_prov: '460000', treatment_prov: '510000', count: 3 },
    { insured_prov: '460000', treatment_prov: '110000', count: 1 },
  ]);
  // Two closed (the withdrawn one aside), one within its SLA.
  expect(v.ticket_sla_compliance_ppm).toBe(500_000);
  expect(v.advance_funds).toEqual([
    expect.objectContaining({
      insured_prov: '460000',
      treatment_prov: '510000',
      granted: 400_000_000,
      used: 0,
      level: 'normal',
    }),
  ]);
  expect(v).toMatchObject({ from: '2026-10', to: '2026-11' });
});

test('one month alone, and the treatment side sees only the pair it treats', async () => {
  const oct = (await monitoring('super-hi', 'from=2026-10&to=2026-10')).body as MonitoringView;
  expect(oct.direct_settlement_rate_ppm).toBe(1_000_000);
  expect(oct.ticket_sla_compliance_ppm).toBe(1_000_000);

  const sc = (await monitoring('coord-sc', 'from=2026-10&to=2026-11')).body as MonitoringView;
  expect(sc.failures_by_pair).toEqual([{ insured_prov: '460000', treatment_prov: '510000', count: 3 }]);
  expect(sc.months.map((m) => m.failures)).toEqual([2, 1]);
  expect(sc.direct_settlement_rate_ppm).toBe(836_066);
});

test('a third province sees none of the 海南–四川 pair', async () => {
  const res = await monitoring('coord-ah', 'from=2026-10&to=2026-11');
  expect(res.status).toBe(200);
  const v = res.body as MonitoringView;
  expect(v.months).toEqual([
    { month: '2026-10', direct_amount: 7_000_000, manual_amount: 0, settlements: 1, failures: 1 },
    { month: '2026-11', direct_amount: 0, manual_amount: 0, settlements: 0, failures: 0 },
  ]);
  expect(v.failures_by_pair).toEqual([{ insured_prov: '340000', treatment_prov: '310000', count: 1 }]);
  expect(v.failures_by_category).toEqual({ person_not_found: 1 });
  expect(v.ticket_sla_compliance_ppm).toBe(0);
  expect(v.advance_funds.length).toBeGreaterThan(0);
  for (const f of v.advance_funds) expect([f.insured_prov, f.treatment_prov]).toContain('340000');
  expect(JSON.stringify(v)).not.toContain('460000');
});

test('citizens and hospitals are refused; a bad span is a 400 in Chinese', async () => {
  for (const username of ['fuhaiyan', 'hosp-huaxi']) {
    const res = await monitoring(username, 'from=2026-10&to=2026-11');
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('FORBIDDEN_ROLE');
  }
  const bad: [string, RegExp][] = [
    ['from=2026-13&to=2026-14', /真实的月份/],
    ['from=2026-1&to=2026-11', /YYYY-MM/],
    ['from=2026-11&to=2026-10', /不能早于/],
    ['from=2024-10&to=2026-10', /最多统计 24 个月/],
    ['to=2026-10', /./],
  ];
  for (const [query, message] of bad) {
    const res = await monitoring('staff-hi', query);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(res.body.errors)).toMatch(message);
  }
  // 24 months exactly is allowed.
  expect((await monitoring('staff-hi', 'from=2024-11&to=2026-10')).status).toBe(200);
});
