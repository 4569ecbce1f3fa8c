import request from 'supertest';
import { type ClearingStatementView, clearingWorkflowId } from '../../cases';
import { DEMO_CLEARING_SETTLEMENTS, insertSettlements } from '../../db/clearing-demo';
import { eventually } from '../support/eventually';
import { testPlatformForFile } from '../support/platform';
import { cellsOf, unzip } from './unzip';

const MONTH = '2026-10';

const p = testPlatformForFile({
  temporal: 'local',
  data: (orm) => insertSettlements(orm.em.getKnex(), MONTH, DEMO_CLEARING_SETTLEMENTS),
  timeout: 180_000,
});

const get = async (username: string, path: string) =>
  request(p.app)
    .get(`/api/v1${path}`)
    .set(await p.as(username));
const post = async (username: string, path: string, body: object = {}, key?: string) => {
  const r = request(p.app)
    .post(`/api/v1${path}`)
    .set(await p.as(username));
  if (key) r.set('Idempotency-Key', key);
  return r.send(body);
};
const AH_SC = `/clearing/${MONTH}/340000-510000`;
const HI_SC = `/clearing/${MONTH}/460000-510000`;

async function generated(): Promise<ClearingStatementView[]> {
  return eventually(async () => {
    const r = await get('coord-sc', `/clearing?clr_month=${MONTH}`);
    const ready = (r.body as ClearingStatementView[]).filter((s) => s.confirmations.length === 2);
    return ready.length === 3 ? (r.body as ClearingStatementView[]) : undefined;
  }, 30_000);
}

describe('a month cleared through the API', () => {
  beforeAll(async () => {
    const r = await post('staff-ah', '/clearing', { clr_month: MONTH });
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({ clr_month: MONTH, workflow_id: clearingWorkflowId(MONTH) });
    await generated();
  }, 60_000);

  test('clearing a month twice is 409 CLEARING_MONTH_DONE; a month not ended, CLEARING_MONTH_OPEN; roles', async () => {
    const again = await post('staff-hi', '/clearing', { clr_month: MONTH });
    expect(again.status).toBe(409);
    expect(again.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(again.body.code).toBe('CLEARING_MONTH_DONE');
    const open = await post('staff-ah', '/clearing', { clr_month: '2099-01' });
    expect(open.body.code).toBe('CLEARING_MONTH_OPEN');
    expect((await post('staff-ah', '/clearing', { clr_month: '2026-13' })).body.code).toBe(
      'VALIDATION_FAILED',
    );
    expect((await post('coord-ah', '/clearing', { clr_month: '2026-09' })).status).toBe(403);
    expect((await get('zhangwei', '/clearing')).status).toBe(403);
    const runs = await p.orm.em.getKnex()('clearing_run').count({ n: '*' });
    expect(runs).toEqual([{ n: '1' }]);
  });

  test('each province sees its pairs only; a third province gets 404 on every route of a pair', async () => {
    const ah = await get('coord-ah', `/clearing?clr_month=${MONTH}`);
    expect((ah.body as ClearingStatementView[]).map((s) => s.pair_id)).toEqual([
      '340000-310000',
      '340000-510000',
    ]);
    const hi = await get('coord-hi', `/clearing?clr_month=${MONTH}`);
    expect((hi.body as ClearingStatementView[]).map((s) => s.pair_id)).toEqual([
      '460000-510000',
      '510000-460000',
    ]);
    for (const path of [AH_SC, `${AH_SC}/settlements`, `${AH_SC}/export.csv`, `${AH_SC}/export.xlsx`]) {
      const r = await get('coord-hi', path);
      expect([path, r.status, r.body.code]).toEqual([path, 404, 'CLEARING_NOT_FOUND']);
    }
    const r = await post('coord-hi', `${AH_SC}/confirm`);
    expect([r.status, r.body.code]).toEqual([404, 'CLEARING_NOT_FOUND']);
    expect((await get('coord-sc', `/clearing/${MONTH}/340000-310000`)).status).toBe(404);
  });

  test('the statement: lines by insurance type and fund (医疗救助 on its own), in fen', async () => {
    const st = (await get('coord-sc', AH_SC)).body as ClearingStatementView;
    expect(st.lines).toEqual([
      {
        insutype: '310',
        fund: 'fund',
        settlements: 1,
        reversals: 0,
        medfee_sumamt: 3_620_000,
        amount: 2_860_000,
      },
      {
        insutype: '310',
        fund: 'acct',
        settlements: 1,
        reversals: 0,
        medfee_sumamt: 3_620_000,
        amount: 120_000,
      },
      {
        insutype: '390',
        fund: 'fund',
        settlements: 1,
        reversals: 0,
        medfee_sumamt: 2_090_000,
        amount: 1_450_000,
      },
      {
        insutype: '390',
        fund: 'maf',
        settlements: 1,
        reversals: 0,
        medfee_sumamt: 2_090_000,
        amount: 230_000,
      },
    ]);
    expect(st).toMatchObject({ owed: 4_660_000, net_transfer: 4_660_000, status: 'GENERATED' });
    // 安徽 opened a 费用协查 on one of them: the drill-down names it.
    const now = new Date();
    await p.orm.em.getKnex()('fee_check').insert({
      check_id: 'FCDMC0002S01',
      setl_id: 'DMC0002S01',
      mdtrt_id: 'DMC0002',
      insured_prov: '340000',
      treatment_prov: '510000',
      insuplc_admdvs: '340100',
      mdtrtarea_admvs: '510100',
      fixmedins_code: 'H51010000002',
      fixmedins_name: '成都市第二人民医院',
      insutype: '390',
      medfee_sumamt: 2_090_000,
      reason: '核查',
      status: 'REQUESTED',
      batch_id: 'FC-340000-510000-202610',
      rolled_over: false,
      requested_by: 'coord-ah',
      requested_at: now,
      recovered: 0,
      updated_at: now,
    });
    const list = (await get('coord-ah', `${AH_SC}/settlements`)).body;
    expect(
      list.map((s: { setl_id: string; psn_name: string; reversed: boolean; fee_check_id: string | null }) => [
        s.setl_id,
        s.psn_name,
        s.reversed,
        s.fee_check_id,
      ]),
    ).toEqual([
      ['DMC0001S01', '张*', false, null],
      ['DMC0002S01', '李**', false, 'FCDMC0002S01'],
    ]);
    const hi = (await get('coord-hi', `${HI_SC}/settlements`)).body;
    expect(
      hi.filter((s: { reversed: boolean }) => s.reversed).map((s: { setl_id: string }) => s.setl_id),
    ).toEqual(['DMC0006S01', 'DMC0006R01']);
  });

  test('CSV and .xlsx exports carry the lines and the settlements', async () => {
    const csv = await get('coord-ah', `${AH_SC}/export.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.headers['content-disposition']).toContain(`clearing-${MONTH}-340000-510000.csv`);
    const text = csv.text;
    expect(text.startsWith('\ufeff')).toBe(true);
    expect(text).toContain('390,城乡居民基本医疗保险,医疗救助,1,0,20900.00,2300.00');
    expect(text).toContain('应付合计（元）,46600.00');
    expect(text).toContain('DMC0002S01');
    const x = await request(p.app)
      .get(`/api/v1${AH_SC}/export.xlsx`)
      .set(await p.as('coord-sc'))
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(x.status).toBe(200);
    expect(x.headers['content-type']).toContain('spreadsheetml.sheet');
    const files = unzip(x.body as Buffer);
    const sheet = cellsOf(files.get('xl/worksheets/sheet1.xml')?.toString() ?? '');
    expect(sheet.get('A7')?.v).toBe('310');
    expect(sheet.get('C10')?.v).toBe('医疗救助');
    expect(sheet.get('G10')).toEqual({ t: null, s: '1', v: '2300.00' });
    expect(sheet.get('D7')).toEqual({ t: null, s: null, v: '1' });
    const detail = cellsOf(files.get('xl/worksheets/sheet2.xml')?.toString() ?? '');
    expect(detail.get('A2')?.v).toBe('DMC0001S01');
    expect(detail.get('G2')?.v).toBe('36200.00');
  });

  test('both confirm → the insured side transfers → RECONCILED; wrong side refused; resends applied once', async () => {
    const first = await post('coord-ah', `${AH_SC}/confirm`, {}, 'k-confirm-ah');
    expect(first.status).toBe(200);
    expect(first.body.confirmations.find((c: { side: string }) => c.side === 'insured').by).toBe('coord-ah');
    const resend = await post('coord-ah', `${AH_SC}/confirm`, {}, 'k-confirm-ah');
    expect(resend.status).toBe(200);
    const twice = await post('coord-ah', `${AH_SC}/confirm`, {}, 'k-confirm-ah-2');
    expect([twice.status, twice.body.code]).toEqual([409, 'CLEARING_NOT_ALLOWED']);
    const early = await post('coord-ah', `${AH_SC}/transfer`, { reference: 'GK-1' });
    expect(early.body.code).toBe('CLEARING_NOT_ALLOWED');
    const both = await post('coord-sc', `${AH_SC}/confirm`);
    expect(both.body.status).toBe('CONFIRMED');
    const wrong = await post('coord-sc', `${AH_SC}/transfer`, { reference: 'GK-1' });
    expect([wrong.status, wrong.body.code]).toEqual([403, 'CLEARING_WRONG_SIDE']);
    expect((await post('coord-ah', `${AH_SC}/transfer`, {})).body.code).toBe('VALIDATION_FAILED');
    const paid = await post('coord-ah', `${AH_SC}/transfer`, { reference: 'GK-2026-11-0001' }, 'k-transfer');
    expect(paid.status).toBe(200);
    expect(paid.body.transfer).toMatchObject({
      amount: 4_660_000,
      reference: 'GK-2026-11-0001',
      by: 'coord-ah',
    });
    await eventually(async () =>
      (await get('coord-sc', AH_SC)).body.status === 'RECONCILED' ? true : undefined,
    );
    const closed = await post('coord-ah', `${AH_SC}/dispute`, { reason: '晚了' });
    expect([closed.status, closed.body.code]).toEqual([409, 'CLEARING_CLOSED']);
    // Closed answers before the links are looked at: not a 422 for a fee check of no one.
    const closedLinks = await post('coord-ah', `${AH_SC}/dispute`, {
      reason: '晚了',
      fee_check_ids: ['FCNONE'],
    });
    expect([closedLinks.status, closedLinks.body.code]).toEqual([409, 'CLEARING_CLOSED']);
    const confirmations = await p.orm.em
      .getKnex()('clearing_confirmation')
      .where({ pair_id: '340000-510000' });
    expect(confirmations.map((c) => c.confirmed_by).sort()).toEqual(['coord-ah', 'coord-sc']);
  });

  test('a dispute with its fee checks and tickets, then staff re-clear: a new round to confirm', async () => {
    const noReason = await post('coord-hi', `${HI_SC}/dispute`, { reason: ' ' });
    expect(noReason.body.code).toBe('VALIDATION_FAILED');
    // The fee check and the ticket the dispute names: 海南 → 四川, on an October settlement.
    const knex = p.orm.em.getKnex();
    const now = new Date();
    await knex('fee_check').insert({
      check_id: 'FCDMC0004S01',
      setl_id: 'DMC0004S01',
      mdtrt_id: 'DMC0004',
      insured_prov: '460000',
      treatment_prov: '510000',
      insuplc_admdvs: '460000',
      mdtrtarea_admvs: '510100',
      fixmedins_code: 'H51010000003',
      fixmedins_name: '四川省人民医院',
      insutype: '310',
      medfee_sumamt: 1_255_000,
      reason: '核查',
      status: 'BATCHED',
      batch_id: 'FC-460000-510000-202610',
      rolled_over: false,
      requested_by: 'coord-hi',
      requested_at: now,
      recovered: 0,
      updated_at: now,
    });
    const ticket = (ticket_id: string, insured_prov: string) => ({
      ticket_id,
      mdtrt_id: ticket_id.replace('SE', ''),
      round: 1,
      category: 'reconciliation_mismatch',
      status: 'OPEN',
      first_responder: 'treatment',
      insured_prov,
      treatment_prov: '510000',
      insuplc_admdvs: insured_prov,
      mdtrtarea_admvs: '510100',
      fixmedins_code: 'H51010000003',
      fixmedins_name: '四川省人民医院',
      psn_no: 'P46000000000001',
      psn_name: '王芳',
      description: '对账不平',
      raised_by: JSON.stringify({ kind: 'coordinator', user: 'coord-hi' }),
      raised_at: now,
      sla_due_at: now,
      sides: JSON.stringify({}),
      retries: JSON.stringify([]),
      updated_at: now,
      projection_seq: 1,
    });
    await knex('ticket').insert([ticket('SEDMC000401', '460000'), ticket('SEDMC000402', '340000')]);
    // Ids that are not the pair's (安徽's fee check, 安徽's ticket, none at all): 422, nothing recorded.
    const wrong = await post('coord-hi', `${HI_SC}/dispute`, {
      reason: '一笔费用协查未完成',
      fee_check_ids: ['FCDMC0002S01', 'FCDMC0004S01', 'FC-NONE'],
      ticket_ids: ['SEDMC000401', 'SEDMC000402'],
    });
    expect([wrong.status, wrong.body.code]).toEqual([422, 'CLEARING_DISPUTE_LINK_INVALID']);
    expect(wrong.body.detail).toBe(
      '费用协查 FCDMC0002S01、FC-NONE 不存在或不属于该清算单的省份对和月份；问题协同单 SEDMC000402 不存在或不属于该清算单的省份对',
    );
    expect(await knex('clearing_dispute').where({ pair_id: '460000-510000' })).toEqual([]);
    const d = await post('coord-hi', `${HI_SC}/dispute`, {
      reason: '一笔费用协查未完成',
      fee_check_ids: ['FCDMC0004S01'],
      ticket_ids: ['SEDMC000401'],
    });
    expect(d.body.status).toBe('DISPUTED');
    expect(d.body.disputes).toEqual([
      expect.objectContaining({
        side: 'insured',
        fee_check_ids: ['FCDMC0004S01'],
        ticket_ids: ['SEDMC000401'],
      }),
    ]);
    expect((await post('coord-sc', `${HI_SC}/confirm`)).body.code).toBe('CLEARING_NOT_ALLOWED');
    expect((await post('coord-hi', `${HI_SC}/reclear`)).status).toBe(403);
    const re = await post('staff-hi', `${HI_SC}/reclear`);
    expect(re.status).toBe(200);
    expect(re.body.status).toBe('GENERATED');
    const round2 = await eventually(async () => {
      const st = (await get('coord-hi', HI_SC)).body as ClearingStatementView;
      return st.confirmations.length === 2 && st.confirmations.every((c) => c.task_id?.endsWith('-r2'))
        ? st
        : undefined;
    });
    expect(round2.confirmations.map((c) => c.by)).toEqual([null, null]);
  });

  test('预付金: the province’s funds with their levels; the treatment side requests a top-up, once per key', async () => {
    const ah = (await get('coord-ah', '/advance-funds')).body;
    expect(ah.map((f: { treatment_prov: string; level: string }) => [f.treatment_prov, f.level])).toEqual([
      ['310000', 'yellow'],
      ['510000', 'normal'],
    ]);
    const insured = await post('coord-ah', '/advance-funds/340000-510000/top-up', { amount: '1000.00' });
    expect([insured.status, insured.body.code]).toEqual([403, 'ADVANCE_FUND_WRONG_SIDE']);
    const third = await post('coord-hi', '/advance-funds/340000-510000/top-up', { amount: '1000.00' });
    expect([third.status, third.body.code]).toEqual([404, 'ADVANCE_FUND_NOT_FOUND']);
    expect((await post('coord-sc', '/advance-funds/340000-510000/top-up', { amount: '10' })).body.code).toBe(
      'VALIDATION_FAILED',
    );
    const r = await post(
      'coord-sc',
      '/advance-funds/340000-510000/top-up',
      { amount: '1000.50' },
      'k-top-up',
    );
    expect(r.status).toBe(201);
    await post('coord-sc', '/advance-funds/340000-510000/top-up', { amount: '1000.50' }, 'k-top-up');
    // Without a key: a retried POST (same amount, same day) is the same request.
    const plain = await post('coord-sc', '/advance-funds/340000-510000/top-up', { amount: '2000.00' });
    const retried = await post('coord-sc', '/advance-funds/340000-510000/top-up', { amount: '2000.00' });
    expect([plain.status, retried.status]).toEqual([201, 201]);
    const after = (await get('coord-sc', '/advance-funds')).body.find(
      (f: { insured_prov: string }) => f.insured_prov === '340000',
    );
    expect(after.top_up_requests).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ amount: 100_050, status: 'requested' }),
        expect.objectContaining({ amount: 200_000, status: 'requested' }),
      ]),
    );
    expect(after.top_up_requests).toHaveLength(2);
  });
});
