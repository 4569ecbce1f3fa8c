import { INFCODES } from '../../api/infcodes';
import { isoToCst } from '../../api/schemas/national';
import { Output2301, Output2305, OutputSettlement, OutputStay } from '../../api/schemas/transactions';
import { cstDate, stayWorkflowId } from '../../cases';
import { HospitalMessage } from '../../db/entities';
import { withCheckDigit } from '../../db/seed-data';
import { eventually } from '../support/eventually';
import { type Answer, activeFilingToChengdu, envelope, hisPlatform, send, WANGFANG } from '../support/his';

/**
 * The full path a HIS drives, over HTTP in the national envelope, on the real worker (the
 * hospitalization and settlement workflows) and real PostgreSQL: 1101 → 2401 → 2301 → 2303 → 2402 →
 * 2304 → 2305 → 2304, with the refusals a hospital meets on the way and the retries it makes.
 */

const p = hisPlatform({ filing: true });

const now = () => isoToCst(new Date());

const admission = () => ({
  mdtrtinfo: {
    psn_no: WANGFANG.psn_no,
    insutype: '390',
    mdtrt_cert_type: '02',
    mdtrt_cert_no: WANGFANG.certno,
    med_type: '21',
    ipt_otp_no: `ZY${Date.now()}`,
    begntime: now(),
    adm_dept_codg: 'A03',
    adm_dept_name: '呼吸内科',
    chfpdr_name: '李医生',
    adm_diag_dscr: '肺部阴影待查',
  },
  diseinfo: [
    { diag_type: '1', diag_srt_no: 1, diag_code: 'C34.901', diag_name: '肺恶性肿瘤', maindiag_flag: '1' },
  ],
});

const fee = (
  mdtrt_id: string,
  sn: string,
  code: string,
  cnt: string | number,
  pric: string | number,
  sumamt: string | number,
  psn_no = WANGFANG.psn_no,
) => ({
  feedetl_sn: sn,
  mdtrt_id,
  psn_no,
  fee_ocur_time: now(),
  med_list_codg: code,
  medins_list_codg: `H-${code}`,
  det_item_fee_sumamt: sumamt,
  cnt,
  pric,
  bilg_dept_codg: 'A03',
});

const ok = (a: { answer: Answer }) => {
  expect([a.answer.infcode, a.answer.err_msg]).toEqual([0, '']);
  return a.answer.output;
};

test('a HIS admits, uploads fees, pre-settles, discharges, settles, reverses and settles again', async () => {
  const info = ok(
    await send(
      p.app,
      p.his,
      envelope('1101', { data: { mdtrt_cert_type: '02', mdtrt_cert_no: WANGFANG.certno } }),
    ),
  );
  expect(info).toMatchObject({ baseinfo: { psn_no: WANGFANG.psn_no } });

  // 2401: the answer carries the mdtrt_id we allocated; a retry is the same answer and the same stay.
  const admit = envelope('2401', admission());
  const admitted = await send(p.app, p.his, admit);
  const stay = ok(admitted) as { result: { mdtrt_id: string; stay_stas: string } };
  expect(OutputStay.safeParse(stay).success).toBe(true);
  expect(stay.result).toMatchObject({
    psn_no: WANGFANG.psn_no,
    stay_stas: 'ADMITTED',
    medfee_sumamt: '0.00',
  });
  const mdtrt_id = stay.result.mdtrt_id;
  expect(mdtrt_id).toMatch(new RegExp(`^510100${cstDate(Date.now()).replaceAll('-', '')}\\d{10}$`));
  expect((await send(p.app, p.his, admit)).text).toBe(admitted.text);
  expect(await p.orm.em.fork().count(HospitalMessage, { infno: '2401', mdtrt_id })).toBe(1);
  await p.worker.client.workflow.getHandle(stayWorkflowId(mdtrt_id)).describe();

  // 2301: amounts as strings and numbers, as HIS clients send them; the classification per line.
  const upload = envelope('2301', {
    feedetail: [
      fee(mdtrt_id, '1', 'BED001', 5, '80', '400.00'),
      fee(mdtrt_id, '2', 'DRG001', '3', 333.3333, 1000),
      fee(mdtrt_id, '3', 'DRG002', '1.5', '1333', '1999.5'),
    ],
  });
  const uploaded = await send(p.app, p.his, upload);
  const lines = ok(uploaded) as { result: Record<string, string>[] };
  expect(Output2301.safeParse(lines).success).toBe(true);
  expect(lines.result.map((l) => [l.feedetl_sn, l.det_item_fee_sumamt, l.chrgitm_lv])).toEqual([
    ['1', '400.00', '01'],
    ['2', '1000.00', '02'],
    ['3', '1999.50', '03'],
  ]);
  expect(lines.result[0]).toMatchObject({ pric_uplmt_amt: '60.00', overlmt_amt: '100.00', cnt: '5.0000' });
  expect(lines.result[1]).toMatchObject({ selfpay_prop: '0.10', preselfpay_amt: '100.00' });
  expect(lines.result[2]).toMatchObject({ fulamt_ownpay_amt: '1999.50', inscp_scp_amt: '0.00' });
  expect((await send(p.app, p.his, upload)).text).toBe(uploaded.text);

  // The same feedetl_sn with other content, in a new message: refused naming the line.
  const conflict = await send(
    p.app,
    p.his,
    envelope('2301', { feedetail: [fee(mdtrt_id, '2', 'DRG001', 4, '250', '1000.00')] }),
  );
  expect(conflict.answer.infcode).toBe(INFCODES.FEE_LINE_CONFLICT.infcode);
  expect(conflict.answer.err_msg).toContain('2');

  // 2404 with fees, 2304 before discharge: refused, saying what to do.
  const cancel = await send(p.app, p.his, envelope('2404', { data: { mdtrt_id, psn_no: WANGFANG.psn_no } }));
  expect(cancel.answer.infcode).toBe(INFCODES.STAY_HAS_FEES.infcode);
  expect(cancel.answer.err_msg).not.toBe('');
  const early = await send(p.app, p.his, envelope('2304', { data: { mdtrt_id, psn_no: WANGFANG.psn_no } }));
  expect(early.answer.infcode).toBe(INFCODES.STAY_NOT_DISCHARGED.infcode);
  expect(early.answer.err_msg).toContain('2402');

  // 2303: the HIS's placeholder amounts are not read; nothing is recorded (setl_id "").
  const pre = ok(
    await send(
      p.app,
      p.his,
      envelope('2303', {
        data: {
          mdtrt_id,
          psn_no: WANGFANG.psn_no,
          medfee_sumamt: '0.0',
          fund_pay_sumamt: '0.0',
          acct_used_flag: '0',
          mid_setl_flag: '0',
        },
      }),
    ),
  ) as { setlinfo: Record<string, string>; setldetail: unknown[] };
  expect(OutputSettlement.safeParse(pre).success).toBe(true);
  expect(pre.setlinfo).toMatchObject({ setl_id: '', medfee_sumamt: '3399.50', fulamt_ownpay_amt: '1999.50' });
  expect(pre.setldetail.length).toBeGreaterThan(0);
  expect(JSON.stringify(pre)).not.toContain('null');

  ok(
    await send(
      p.app,
      p.his,
      envelope('2402', {
        dscginfo: {
          mdtrt_id,
          psn_no: WANGFANG.psn_no,
          endtime: now(),
          dise_codg: 'C34.901',
          dise_name: '肺恶性肿瘤',
          dscg_way: '1',
        },
        diseinfo: [],
      }),
    ),
  );

  // 2304: settled within the request; a retry is the same settlement.
  const settle = envelope('2304', {
    data: { mdtrt_id, psn_no: WANGFANG.psn_no, acct_used_flag: '0', mid_setl_flag: '0' },
  });
  const settled = await send(p.app, p.his, settle);
  const s = ok(settled) as { setlinfo: Record<string, string> };
  expect(OutputSettlement.safeParse(s).success).toBe(true);
  expect(s.setlinfo.setl_id).not.toBe('');
  expect(s.setlinfo).toMatchObject({ medfee_sumamt: '3399.50', medins_setl_id: settle.msgid });
  expect(s.setlinfo.fund_pay_sumamt).toBe(pre.setlinfo.fund_pay_sumamt);
  const fund = Number(s.setlinfo.fund_pay_sumamt?.replace('.', ''));
  const own = Number(s.setlinfo.psn_part_amt?.replace('.', ''));
  expect(fund + own).toBe(339950);
  expect((await send(p.app, p.his, settle)).text).toBe(settled.text);

  // 2305: the reversal, amounts negative; a second one is refused.
  const reverse = envelope('2305', {
    data: { mdtrt_id, psn_no: WANGFANG.psn_no, setl_id: s.setlinfo.setl_id },
  });
  const reversed = ok(await send(p.app, p.his, reverse)) as { setlinfo: Record<string, string> };
  expect(Output2305.safeParse(reversed).success).toBe(true);
  expect(reversed.setlinfo).toMatchObject({ init_setl_id: s.setlinfo.setl_id, medfee_sumamt: '-3399.50' });
  const twice = await send(p.app, p.his, { ...reverse, msgid: `${reverse.msgid}-2` });
  expect(twice.answer.infcode).toBe(INFCODES.ALREADY_REVERSED.infcode);

  // Settled again after the reversal: a new settlement, the same amounts.
  const again = ok(
    await send(p.app, p.his, envelope('2304', { data: { mdtrt_id, psn_no: WANGFANG.psn_no } })),
  ) as { setlinfo: Record<string, string> };
  expect(again.setlinfo.setl_id).not.toBe(s.setlinfo.setl_id);
  expect(again.setlinfo.fund_pay_sumamt).toBe(s.setlinfo.fund_pay_sumamt);
});

test('2302 "0000" cancels every fee line, then 2404 cancels the admission', async () => {
  const stay = ok(await send(p.app, p.his, envelope('2401', admission()))) as {
    result: { mdtrt_id: string };
  };
  const { mdtrt_id } = stay.result;
  ok(
    await send(
      p.app,
      p.his,
      envelope('2301', { feedetail: [fee(mdtrt_id, 'A1', 'SUR001', 1, '500', '500')] }),
    ),
  );
  const cancelled = ok(
    await send(
      p.app,
      p.his,
      envelope('2302', { data: { mdtrt_id, psn_no: WANGFANG.psn_no, feedetl_sn: '0000' } }),
    ),
  ) as { result: Record<string, unknown> };
  expect(cancelled.result).toMatchObject({ fee_cnt: 0, medfee_sumamt: '0.00' });
  const gone = ok(
    await send(p.app, p.his, envelope('2404', { data: { mdtrt_id, psn_no: WANGFANG.psn_no } })),
  ) as {
    result: Record<string, unknown>;
  };
  expect(gone.result).toMatchObject({ stay_stas: 'CANCELLED' });
  // A cancelled stay refuses what comes after, with a reason.
  const late = await send(
    p.app,
    p.his,
    envelope('2301', { feedetail: [fee(mdtrt_id, 'A2', 'SUR001', 1, '500', '500')] }),
  );
  expect(late.answer.infcode).not.toBe(0);
  expect(late.answer.err_msg).not.toBe('');
});

test('a person with no filing is admitted pending 补备案, refused at settlement saying so, and settled once they file', async () => {
  const zhang = { psn_no: 'P34010000000001', certno: withCheckDigit('34010219800312001') };
  const input = admission();
  input.mdtrtinfo = {
    ...input.mdtrtinfo,
    psn_no: zhang.psn_no,
    mdtrt_cert_no: zhang.certno,
    insutype: '310',
  };
  const admitted = ok(await send(p.app, p.his, envelope('2401', input, { insuplc_admdvs: '340100' }))) as {
    result: { mdtrt_id: string };
  };
  const { mdtrt_id } = admitted.result;
  ok(
    await send(
      p.app,
      p.his,
      envelope('2301', { feedetail: [fee(mdtrt_id, 'Z1', 'SUR001', 1, '500', '500', zhang.psn_no)] }),
    ),
  );
  ok(
    await send(
      p.app,
      p.his,
      envelope('2402', {
        dscginfo: {
          mdtrt_id,
          psn_no: zhang.psn_no,
          endtime: now(),
          dise_codg: 'C34.901',
          dise_name: '肺恶性肿瘤',
        },
      }),
    ),
  );
  const refused = await send(p.app, p.his, envelope('2304', { data: { mdtrt_id, psn_no: zhang.psn_no } }));
  expect(refused.answer).toMatchObject({ infcode: INFCODES.FILING_REQUIRED.infcode, output: {} });
  expect(refused.answer.err_msg).toContain('补办备案');

  // 补备案 before discharge settlement: the next 2304 (a new message) settles directly.
  await activeFilingToChengdu(p, 'zhangwei', zhang.psn_no, '13800000001');
  const settled = ok(
    await send(p.app, p.his, envelope('2304', { data: { mdtrt_id, psn_no: zhang.psn_no } })),
  ) as {
    setlinfo: Record<string, string>;
  };
  expect(settled.setlinfo).toMatchObject({ medfee_sumamt: '500.00', psn_no: zhang.psn_no, psn_name: '张伟' });
  expect(settled.setlinfo.setl_id).not.toBe('');
});

test('work that outlives the request deadline answers 1007 "send the same msgid again"; the resend gets the final answer once done', async () => {
  const stay = ok(await send(p.app, p.his, envelope('2401', admission()))) as {
    result: { mdtrt_id: string };
  };
  const { mdtrt_id } = stay.result;
  const upload = envelope('2301', { feedetail: [fee(mdtrt_id, 'D1', 'SUR001', 1, '500', '500')] });
  // A deadline no update can meet: the request answers before the stay has.
  process.env.YIDI_HIS_DEADLINE_MS = '1';
  let first: Awaited<ReturnType<typeof send>>;
  try {
    first = await send(p.app, p.his, upload);
  } finally {
    delete process.env.YIDI_HIS_DEADLINE_MS;
  }
  expect(first.status).toBe(200);
  expect(first.answer).toMatchObject({ infcode: INFCODES.STILL_WORKING.infcode, output: {} });
  expect(first.answer.err_msg).toContain('同一 msgid');
  // The work went on: the same message, sent again, gets the line's classification (1006 while it is
  // still running), and every later resend the same bytes.
  const done = await eventually(async () => {
    const again = await send(p.app, p.his, upload);
    return again.answer.infcode === 0 ? again : undefined;
  });
  expect((done.answer.output as { result: unknown[] }).result).toHaveLength(1);
  expect((await send(p.app, p.his, upload)).text).toBe(done.text);
  const ref = { mdtrt_id, psn_no: WANGFANG.psn_no };

  // 中途结算 is not offered: refused naming the flag, nothing settled.
  const mid = await send(
    p.app,
    p.his,
    envelope('2304', { data: { ...ref, acct_used_flag: '0', mid_setl_flag: '1' } }),
  );
  expect(mid.answer).toMatchObject({ infcode: INFCODES.MID_SETTLEMENT_UNSUPPORTED.infcode, output: {} });
  expect(mid.answer.err_msg).toMatch(/^mid_setl_flag: 暂不支持中途结算/);
  expect(await p.orm.em.fork().getKnex()('settlement').where({ mdtrt_id }).count('* as n')).toEqual([
    { n: '0' },
  ]);

  ok(await send(p.app, p.his, envelope('2302', { data: { ...ref, feedetl_sn: '0000' } })));
  ok(await send(p.app, p.his, envelope('2404', { data: ref })));
});

test('1101 answers the personal account balance the settlements left (the accumulator) and the person’s 人员身份, never a fixed 0 or []', async () => {
  const li = { psn_no: 'P34010000000002', certno: withCheckDigit('34010219560704002') };
  await p.orm.em.fork().getKnex()('accumulator').insert({
    psn_no: li.psn_no,
    insuplc_admdvs: '340100',
    year: 2001,
    dedc_paid_ytd: 0,
    hifp_paid_ytd: 0,
    si_base_ytd: 0,
    si_paid_ytd: 0,
    cvlserv_paid_ytd: 0,
    oth_paid_ytd: 0,
    maf_paid_ytd: 0,
    acct_balc: 123_456,
    version: 1,
    updated_at: new Date(),
  });
  const info = ok(
    await send(p.app, p.his, envelope('1101', { data: { mdtrt_cert_type: '02', mdtrt_cert_no: li.certno } })),
  ) as { insuinfo: { balc: string }[]; idetinfo: unknown[] };
  expect(info.insuinfo[0]?.balc).toBe('1234.56');
  // 人员身份 from the person's identities (the demo's 低保 for 李秀英), never null.
  expect(info.idetinfo).toEqual([
    {
      psn_idet_type: '2301',
      psn_type_lv: '',
      memo: '城乡最低生活保障对象',
      begntime: '2024-01-01 00:00:00',
      endtime: '',
    },
  ]);
});
