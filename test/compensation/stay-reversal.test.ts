import request from 'supertest';
import { isoToCst } from '../../api/schemas/national';
import { compensationWorkflowId } from '../../cases';
import { HAINAN_CASE_CODES } from '../../db/catalogue-data';
import { CaseEvent, Compensation, HumanTask, LedgerEntry } from '../../db/entities';
import { eventually } from '../support/eventually';
import { type Answer, envelope, hisPlatform, send, WANGFANG } from '../support/his';
import { decideAsStaff } from '../support/tasks';

/**
 * A HIS reverses (2305) a settlement whose 待遇补差 is under review, settles again, has the new gap
 * paid, and reverses again: over HTTP on the real worker and PostgreSQL. Each settlement has its own
 * comparison; the money (ledger, accumulators) is always that of the settlement that stands.
 */
const p = hisPlatform({ filing: true });

const now = () => isoToCst(new Date());
const ok = (a: { answer: Answer }) => {
  expect([a.answer.infcode, a.answer.err_msg]).toEqual([0, '']);
  return a.answer.output as Record<string, Record<string, string>>;
};
const compensation = (setl_id: string, status: string) =>
  eventually(async () => {
    const c = await p.orm.em.fork().findOne(Compensation, { setl_id });
    return c?.status === status ? c : undefined;
  });
const openTask = (setl_id: string) =>
  eventually(
    async () =>
      (await p.orm.em
        .fork()
        .findOne(HumanTask, { case_id: compensationWorkflowId(setl_id), status: 'open' })) ?? undefined,
  );
const net = (rows: LedgerEntry[]) => rows.reduce((a, l) => a + l.debit - l.credit, 0);

test('2305 closes the open 待遇补差 (WITHDRAWN); the re-settlement is compared anew; 2305 after its gap was paid takes the gap back', async () => {
  const admitted = ok(
    await send(
      p.app,
      p.his,
      envelope('2401', {
        mdtrtinfo: {
          psn_no: WANGFANG.psn_no,
          insutype: '390',
          mdtrt_cert_type: '02',
          mdtrt_cert_no: WANGFANG.certno,
          med_type: '21',
          ipt_otp_no: `ZY${Date.now()}`,
          begntime: now(),
          adm_diag_dscr: '乳腺恶性肿瘤',
        },
        diseinfo: [
          {
            diag_type: '1',
            diag_srt_no: 1,
            diag_code: 'C50.901',
            diag_name: '乳腺恶性肿瘤',
            maindiag_flag: '1',
          },
        ],
      }),
    ),
  );
  const mdtrt_id = admitted.result?.mdtrt_id as string;
  const line = (sn: string, code: string, cnt: number, pric: string, sum: string) => ({
    feedetl_sn: sn,
    mdtrt_id,
    psn_no: WANGFANG.psn_no,
    fee_ocur_time: now(),
    med_list_codg: code,
    medins_list_codg: `H-${code}`,
    det_item_fee_sumamt: sum,
    cnt,
    pric,
  });
  ok(
    await send(
      p.app,
      p.his,
      envelope('2301', {
        feedetail: [
          line('1', '003310000010000', 1, '3800.00', '3800.00'),
          // 丙 in 成都, 乙 in 海南: the comparison finds a gap.
          line('2', HAINAN_CASE_CODES.trastuzumab, 2, '5200.00', '10400.00'),
        ],
      }),
    ),
  );
  ok(
    await send(
      p.app,
      p.his,
      envelope('2402', {
        dscginfo: {
          mdtrt_id,
          psn_no: WANGFANG.psn_no,
          endtime: now(),
          dise_codg: 'C50.901',
          dise_name: '乳腺恶性肿瘤',
        },
        diseinfo: [],
      }),
    ),
  );
  const settle = async () =>
    ok(await send(p.app, p.his, envelope('2304', { data: { mdtrt_id, psn_no: WANGFANG.psn_no } }))).setlinfo
      ?.setl_id as string;
  const reverse = async (setl_id: string) =>
    ok(await send(p.app, p.his, envelope('2305', { data: { mdtrt_id, psn_no: WANGFANG.psn_no, setl_id } })));
  const accumulators = async () =>
    p.orm.em.getKnex()('accumulator').where({ psn_no: WANGFANG.psn_no, insuplc_admdvs: '460000' }).first();

  // Settled; its comparison finds the gap and waits for 海南's staff. Reversed: it closes.
  const first = await settle();
  const firstTask = await openTask(first);
  await reverse(first);
  const withdrawn = await compensation(first, 'WITHDRAWN');
  expect(withdrawn.decision).toMatchObject({ reason: '结算已撤销' });
  expect((await p.orm.em.fork().findOneOrFail(HumanTask, { id: firstTask.id })).status).toBe('cancelled');
  const staff = await p.as('staff-hi');
  await request(p.app).post(`/api/v1/tasks/${firstTask.id}/claim`).set(staff).expect(409);
  const before = await accumulators();

  // Settled again: a comparison of its own, approved and paid.
  const second = await settle();
  expect(second).not.toBe(first);
  const task = await openTask(second);
  await decideAsStaff(p.app, task.id, staff);
  const paid = await compensation(second, 'PAID');
  expect(paid.gap).toBeGreaterThan(0);
  expect(Number((await accumulators()).hifp_paid_ytd)).toBeGreaterThan(Number(before.hifp_paid_ytd));

  // Reversed after the gap was paid: the gap goes back with the settlement.
  await reverse(second);
  expect((await compensation(second, 'RECOVERED')).gap).toBe(paid.gap);
  const after = await accumulators();
  for (const k of ['dedc_paid_ytd', 'hifp_paid_ytd', 'si_paid_ytd', 'oth_paid_ytd', 'acct_balc'])
    expect([k, Number(after[k])]).toEqual([k, Number(before[k])]);
  // Every account of the stay nets to zero: nothing stands.
  const ledger = await p.orm.em.fork().find(LedgerEntry, { mdtrt_id });
  for (const account of new Set(ledger.map((l) => l.account)))
    expect([account, net(ledger.filter((l) => l.account === account))]).toEqual([account, 0]);
  expect(await p.orm.em.fork().count(LedgerEntry, { setl_id: `BR${second}` })).toBe(2);

  const story = (
    await p.orm.em.fork().find(CaseEvent, { case_id: mdtrt_id }, { orderBy: { at: 'asc' } })
  ).map((e) => String(e.detail.text ?? e.kind));
  expect(story).toEqual(
    expect.arrayContaining([
      '医院已撤销本次结算，待遇补差比较随之终止；重新结算后将另行比较是否需要补差',
      expect.stringMatching(/^结算已撤销，已支付的待遇补差 [\d,]+\.\d{2} 元随之收回/),
    ]),
  );

  // Settled a third time: compared anew again.
  const third = await settle();
  await openTask(third);
  expect((await compensation(third, 'UNDER_REVIEW')).gap).toBe(paid.gap);
}, 180_000);
