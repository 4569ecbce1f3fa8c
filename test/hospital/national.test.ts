import type { z } from 'zod';
import { feeOutput, reversalOutput, settlementOutput, stayOutput } from '../../api/hospital/output';
import { zodLine } from '../../api/hospital/transactions';
import { INFCODES } from '../../api/infcodes';
import { cstToIso, e4String, isoToCst, lineAmount, parseDecimal, yuan } from '../../api/schemas/national';
import {
  Input2301,
  Input2302,
  Input2303,
  Input2401,
  Input2402,
  Output2301,
  Output2305,
  OutputSettlement,
  OutputStay,
  TransactionEnvelope,
} from '../../api/schemas/transactions';
import { type SettlementResult, STAY_REFUSALS, type StayState } from '../../cases';
import type { ChrgitmLv, Ratio, SetlDetail, Setlinfo } from '../../settlement';

describe('amounts as HIS clients send them, to fen exactly', () => {
  test.each([
    ['1999.5', 199950],
    [1999.5, 199950],
    [240.0, 24000],
    ['240.00', 24000],
    ['0.0', 0],
    [0.1, 10],
    ['12.3400', 1234],
    [' 7 ', 700],
    ['007.05', 705],
    [19.99, 1999],
    [0.29, 29],
    [1.15, 115],
  ])('%p → %p fen', (input, fen) => {
    expect(parseDecimal(input, 2, 11)).toEqual({ ok: true, value: fen });
  });

  test.each([
    ['12.345', /最多 2 位小数/],
    ['-1.00', /不能为负数/],
    [-0.01, /不能为负数/],
    ['1e3', /不是数字/],
    ['', /不是数字/],
    ['12,50', /不是数字/],
    ['.5', /不是数字/],
    [Number.NaN, /应为数字/],
    [1e21, /不是数字/],
    ['123456789012.00', /数值过大/],
    [null, /应为数字或数字字符串/],
    [true, /应为数字或数字字符串/],
  ])('%p is refused (%p)', (input, message) => {
    const parsed = parseDecimal(input, 2, 11);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(message);
  });

  test('quantities and prices keep four decimals, as ten-thousandths', () => {
    expect(parseDecimal('1.5', 4, 9)).toEqual({ ok: true, value: 15000 });
    expect(parseDecimal(12.3456, 4, 9)).toEqual({ ok: true, value: 123456 });
    expect(parseDecimal('0.00001', 4, 9).ok).toBe(false);
    expect(e4String(123456)).toBe('12.3456');
    expect(e4String(15000)).toBe('1.5000');
    expect(e4String(7)).toBe('0.0007');
  });

  test('cnt × pric is rounded half up to the fen, with no float on the way', () => {
    expect(lineAmount(15000, 123456)).toBe(1852); // 1.5 × 12.3456 = 18.5184
    expect(lineAmount(30000, 3333)).toBe(100); // 3 × 0.3333 = 0.9999 → 1.00
    expect(lineAmount(10000, 50)).toBe(1); // 1 × 0.005 = 0.005 → 0.01 (half up)
    expect(lineAmount(999_999_999_9999, 999_999_999_9999)).toBe(
      Number((9999999999999n * 9999999999999n + 500000n) / 1000000n),
    );
  });

  test('fen back to yuan with two decimals, reversals with their sign', () => {
    expect(yuan(0)).toBe('0.00');
    expect(yuan(5)).toBe('0.05');
    expect(yuan(199950)).toBe('1999.50');
    expect(yuan(-199950)).toBe('-1999.50');
    expect(yuan(-5)).toBe('-0.05');
  });
});

describe('times in China Standard Time', () => {
  test('yyyy-MM-dd HH:mm:ss (Asia/Shanghai) ↔ ISO instant', () => {
    expect(cstToIso('2026-03-01 08:30:00')).toBe('2026-03-01T00:30:00.000Z');
    expect(cstToIso('2026-03-01 00:10:00')).toBe('2026-02-28T16:10:00.000Z');
    expect(cstToIso('2026-03-01')).toBe('2026-02-28T16:00:00.000Z');
    expect(cstToIso('2026-03-01T08:30:00')).toBe('2026-03-01T00:30:00.000Z');
    expect(isoToCst('2026-02-28T16:10:00.000Z')).toBe('2026-03-01 00:10:00');
  });
  test.each([
    '2026-02-30 10:00:00',
    '2026-03-01 24:00:00',
    '2026-03-01 10:60:00',
    '20260301103000',
    '2026/03/01 10:00:00',
    '',
  ])('%p is not a time', (value) => expect(cstToIso(value)).toBeNull());
});

const line = (over: Record<string, unknown> = {}) => ({
  feedetl_sn: '0001',
  mdtrt_id: '5101002026030112345678',
  psn_no: 'P46000000000001',
  fee_ocur_time: '2026-03-01 09:00:00',
  med_list_codg: 'DRG001',
  medins_list_codg: 'H-DRG-001',
  det_item_fee_sumamt: '18.52',
  cnt: '1.5',
  pric: 12.3456,
  unknown_field_from_his: 'ignored',
  ...over,
});

describe('2301 fee lines are checked at the edge, naming the line', () => {
  test('a valid batch parses into the contract payload, unknown fields dropped', () => {
    const parsed = Input2301.parse({
      feedetail: [line(), line({ feedetl_sn: 2, det_item_fee_sumamt: 10, cnt: 1, pric: '10' })],
    });
    expect(parsed.mdtrt_id).toBe('5101002026030112345678');
    expect(parsed.payload.feedetail).toEqual([
      {
        feedetl_sn: '0001',
        rx_drord_no: null,
        med_list_codg: 'DRG001',
        medins_list_codg: 'H-DRG-001',
        medins_list_name: null,
        fee_ocur_time: '2026-03-01T01:00:00.000Z',
        cnt_e4: 15000,
        pric_e4: 123456,
        det_item_fee_sumamt: 1852,
        bilg_dept_codg: null,
        bilg_dr_codg: null,
      },
      expect.objectContaining({ feedetl_sn: '2', det_item_fee_sumamt: 1000, cnt_e4: 10000, pric_e4: 100000 }),
    ]);
  });

  test('one fen of rounding either way is accepted, two are not', () => {
    expect(Input2301.safeParse({ feedetail: [line({ det_item_fee_sumamt: '18.53' })] }).success).toBe(true);
    expect(Input2301.safeParse({ feedetail: [line({ det_item_fee_sumamt: '18.51' })] }).success).toBe(true);
    const off = Input2301.safeParse({
      feedetail: [line(), line(), line(), line({ feedetl_sn: '4', det_item_fee_sumamt: '18.54' })],
    });
    expect(off.success).toBe(false);
    if (!off.success) {
      expect(zodLine(off.error)).toContain(
        'feedetail[3].det_item_fee_sumamt: 明细金额 18.54 与数量 × 单价 = 18.52 不符',
      );
    }
  });

  test.each([
    [{ det_item_fee_sumamt: '-18.52' }, 'feedetail[0].det_item_fee_sumamt: 不能为负数'],
    [{ cnt: 'abc' }, 'feedetail[0].cnt: "abc" 不是数字'],
    [{ pric: '1.23456' }, 'feedetail[0].pric: 最多 4 位小数'],
    [{ fee_ocur_time: '2026-02-30 09:00:00' }, 'feedetail[0].fee_ocur_time: '],
    [{ feedetl_sn: '0000' }, 'feedetail[0].feedetl_sn: "0000" 表示撤销全部费用'],
    [{ med_list_codg: '' }, 'feedetail[0].med_list_codg: 医保目录编码 med_list_codg 必填'],
  ])('%p is refused: %s', (over, message) => {
    const parsed = Input2301.safeParse({ feedetail: [line(over)] });
    expect(parsed.success).toBe(false);
    if (!parsed.success) expect(zodLine(parsed.error)).toContain(message);
  });

  test('a line of another stay or a repeated feedetl_sn in one batch is refused', () => {
    const other = Input2301.safeParse({ feedetail: [line(), line({ feedetl_sn: '2', mdtrt_id: 'X1' })] });
    expect(!other.success && zodLine(other.error)).toContain('feedetail[1].mdtrt_id');
    const twice = Input2301.safeParse({ feedetail: [line(), line()] });
    expect(!twice.success && zodLine(twice.error)).toContain(
      'feedetail[1].feedetl_sn: 流水号 0001 在本批中重复',
    );
  });
});

describe('the other inputs', () => {
  test('2401 takes ipt_otp_no or ipt_no, chfpdr_name, "1"/"0" flags and the CST admission time', () => {
    const parsed = Input2401.parse({
      mdtrtinfo: {
        psn_no: 'P46000000000001',
        insutype: 390,
        mdtrt_cert_type: '02',
        mdtrt_cert_no: '460100198001010011',
        med_type: '21',
        ipt_no: 'ZY001',
        begntime: '2026-03-01 08:30:00',
        chfpdr_name: '李医生',
        adm_dept_codg: '',
        emergency_flag: '1',
      },
      diseinfo: [
        {
          diag_type: '1',
          diag_srt_no: '1',
          diag_code: 'C34.901',
          diag_name: '肺恶性肿瘤',
          maindiag_flag: '1',
        },
      ],
    });
    expect(parsed).toMatchObject({
      insutype: '390',
      ipt_no: 'ZY001',
      begntime: '2026-03-01T00:30:00.000Z',
      atddr_name: '李医生',
      adm_dept_codg: null,
      emergency: true,
      diseinfo: [{ diag_srt_no: 1, maindiag_flag: true }],
    });
    const missing = Input2401.safeParse({
      mdtrtinfo: {
        ...{
          psn_no: 'P1',
          insutype: '390',
          mdtrt_cert_type: '02',
          mdtrt_cert_no: 'x',
          med_type: '21',
          begntime: '2026-03-01 08:30:00',
        },
      },
    });
    expect(!missing.success && zodLine(missing.error)).toBe('mdtrtinfo.ipt_otp_no: 住院号 ipt_otp_no 必填');
  });

  test('2302: feedetl_sn "0000" cancels every line; one line or a list', () => {
    const ref = { mdtrt_id: 'M1', psn_no: 'P1' };
    expect(Input2302.parse({ data: { ...ref, feedetl_sn: '0000' } }).payload).toEqual({ feedetl_sn: 'ALL' });
    expect(
      Input2302.parse({
        data: [
          { ...ref, feedetl_sn: 1 },
          { ...ref, feedetl_sn: '2' },
        ],
      }).payload,
    ).toEqual({
      feedetl_sn: ['1', '2'],
    });
  });

  test("2303's amounts from the HIS are not read; only the flags are", () => {
    const parsed = Input2303.parse({
      data: {
        mdtrt_id: 'M1',
        psn_no: 'P1',
        medfee_sumamt: '0.0',
        fund_pay_sumamt: 99999,
        acct_used_flag: '1',
        mid_setl_flag: '0',
      },
    });
    expect(parsed.payload).toEqual({ acct_used_flag: true, mid_setl_flag: false });
  });

  test('2402 takes the main diagnosis from dscginfo or from diseinfo', () => {
    const parsed = Input2402.parse({
      dscginfo: { mdtrt_id: 'M1', psn_no: 'P1', endtime: '2026-03-10 10:00:00' },
      diseinfo: [
        { diag_type: '1', diag_srt_no: 1, diag_code: 'C34.901', diag_name: '肺恶性肿瘤', maindiag_flag: '1' },
      ],
    });
    expect(parsed.payload).toMatchObject({
      dscg_maindiag_code: 'C34.901',
      endtime: '2026-03-10T02:00:00.000Z',
    });
    const none = Input2402.safeParse({
      dscginfo: { mdtrt_id: 'M1', psn_no: 'P1', endtime: '2026-03-10 10:00:00' },
    });
    expect(none.success).toBe(false);
  });

  test('the envelope ignores header fields we do not use, whatever their form', () => {
    const env = TransactionEnvelope.parse({
      infno: 2401,
      msgid: 'H510100000012026030108300001',
      mdtrtarea_admvs: '510100',
      insuplc_admdvs: '460000',
      recer_sys_code: 'HIS',
      dev_no: null,
      cainfo: '',
      signtype: 'SM3',
      infver: 'V1.0',
      opter_type: 1,
      opter: '001',
      opter_name: '',
      inf_time: '2026-03-01 08:30:00',
      fixmedins_code: 'H51010000001',
      fixmedins_name: '四川大学华西医院',
      sign_no: '',
      input: {},
      something_else: 1,
    });
    expect(env.infno).toBe('2401');
    expect(env.opter_name).toBeNull();
    expect('something_else' in env).toBe(false);
  });
});

/** No field of an output is null or undefined, at any depth. */
function noNulls(value: unknown, path = 'output'): string[] {
  if (value === null || value === undefined) return [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => noNulls(v, `${path}[${i}]`));
  if (typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => noNulls(v, `${path}.${k}`));
  return [];
}

const zeroSetlinfo = (over: Partial<Record<keyof Setlinfo, number>> = {}) =>
  ({
    medfee_sumamt: 0,
    fulamt_ownpay_amt: 0,
    overlmt_selfpay: 0,
    preselfpay_amt: 0,
    inscp_scp_amt: 0,
    act_pay_dedc: 0,
    hifp_pay: 0,
    pool_prop_selfpay: 0,
    cvlserv_pay: 0,
    hifes_pay: 0,
    hifmi_pay: 0,
    hifob_pay: 0,
    maf_pay: 0,
    oth_pay: 0,
    fund_pay_sumamt: 0,
    psn_part_amt: 0,
    acct_pay: 0,
    psn_cash_pay: 0,
    hosp_part_amt: 0,
    balc: 0,
    ...over,
  }) as unknown as Setlinfo;

/** Every documented field is there, of its documented type: the output schema (every field required) accepts it. */
const strictly = (schema: z.ZodType, value: unknown) => schema.safeParse(value).success;

describe('outputs: every documented field, never null, amounts with two decimals', () => {
  const state: StayState = {
    mdtrt_id: 'M1',
    status: 'FEES_UPLOADED',
    psn_no: 'P1',
    insuplc_admdvs: '460000',
    mdtrtarea_admvs: '510100',
    fixmedins_code: 'H51010000001',
    ipt_no: 'ZY001',
    begntime: '2026-03-01T00:30:00.000Z',
    endtime: null,
    coverage: { kind: 'pending_retro' },
    fee_count: 2,
    medfee_sumamt: 240000,
    settlements: [],
  };

  test('a stay answer', () => {
    const out = stayOutput(state);
    expect(out.result).toEqual({
      mdtrt_id: 'M1',
      psn_no: 'P1',
      ipt_otp_no: 'ZY001',
      stay_stas: 'FEES_UPLOADED',
      stay_stas_name: '已上传费用',
      fee_cnt: 2,
      medfee_sumamt: '2400.00',
    });
    expect(strictly(OutputStay, out)).toBe(true);
  });

  test('2301 result lines: feedetl_sn as a string, amounts two decimals, ratio as a decimal', () => {
    const out = feeOutput({
      result: [
        {
          feedetl_sn: 17 as unknown as string,
          med_list_codg: 'DRG002',
          det_item_fee_sumamt: 199950,
          cnt_e4: 15000,
          pric_e4: 1333000,
          chrgitm_lv: '02' as ChrgitmLv,
          selfpay_prop: 100000 as Ratio,
          pric_uplmt_amt: 0,
          fulamt_ownpay_amt: 0,
          overlmt_amt: 0,
          preselfpay_amt: 19995,
          inscp_scp_amt: 179955,
          explanation: '乙类，先行自付 10%',
        },
      ],
    });
    expect(out.result[0]).toMatchObject({
      feedetl_sn: '17',
      det_item_fee_sumamt: '1999.50',
      cnt: '1.5000',
      pric: '133.3000',
      selfpay_prop: '0.10',
      pric_uplmt_amt: '0.00',
      preselfpay_amt: '199.95',
      memo: '乙类，先行自付 10%',
    });
    expect(noNulls(out)).toEqual([]);
    expect(strictly(Output2301, out)).toBe(true);
  });

  const settlement: SettlementResult = {
    setl_id: null,
    mdtrt_id: 'M1',
    psn_no: 'P1',
    setl_time: '2026-03-10T02:00:00.000Z',
    insutype: '390',
    psn_type: 'in_service',
    setlinfo: zeroSetlinfo({
      medfee_sumamt: 240000,
      hifp_pay: 150000,
      fund_pay_sumamt: 150000,
      psn_part_amt: 90000,
      psn_cash_pay: 90000,
    }),
    setldetail: [
      {
        step: 'deductible',
        fund_pay_type: null,
        rule: '起付线',
        amount: 80000,
        inscp_scp_amt: 200000,
        crt_payb_lmt_amt: null,
        fund_payamt: 0,
        setl_proc_info: '起付线 800.00',
      } as unknown as SetlDetail,
    ],
    policy: { policy_id: 'hainan-resident', version: 1, name: '海南居民', source: 'demo' },
    clr_optins: '460000',
    clr_way: '1',
    clr_type: '21',
  };
  const person = {
    psn_no: 'P1',
    psn_name: '王芳',
    certno: '460100198001010011',
    gend: '2',
    brdy: '1980-01-01',
    insutype: '390',
    psn_type: 'in_service',
    insuplc_admdvs: '460000',
    insu_status: 'active',
    balc: '0',
  };

  test('2303: setl_id is "" (not null) before settlement; non-fund steps have fund_pay_type ""', () => {
    const out = settlementOutput(settlement, person, 'MSG1');
    expect(out.setlinfo).toMatchObject({
      setl_id: '',
      medfee_sumamt: '2400.00',
      hifp_pay: '1500.00',
      psn_cash_pay: '900.00',
      setl_time: '2026-03-10 10:00:00',
      psn_type: '11',
      medins_setl_id: 'MSG1',
    });
    expect(out.setldetail[0]).toMatchObject({
      fund_pay_type: '',
      crt_payb_lmt_amt: '0.00',
      inscp_scp_amt: '2000.00',
    });
    expect(noNulls(out)).toEqual([]);
    expect(strictly(OutputSettlement, out)).toBe(true);
    for (const [k, v] of Object.entries(out.setlinfo)) {
      if (k.endsWith('_amt') || k.endsWith('_pay') || k === 'balc')
        expect([k, v]).toEqual([k, expect.stringMatching(/^\d+\.\d{2}$/)]);
    }
  });

  test('2305: the reversal with negative amounts', () => {
    const out = reversalOutput({
      setl_id: 'S2',
      original_setl_id: 'S1',
      mdtrt_id: 'M1',
      setl_time: '2026-03-11T02:00:00.000Z',
      setlinfo: zeroSetlinfo({ medfee_sumamt: -240000, fund_pay_sumamt: -150000 }),
    });
    expect(out.setlinfo).toMatchObject({
      setl_id: 'S2',
      init_setl_id: 'S1',
      medfee_sumamt: '-2400.00',
      fund_pay_sumamt: '-1500.00',
      acct_pay: '0.00',
    });
    expect(noNulls(out)).toEqual([]);
    expect(strictly(Output2305, out)).toBe(true);
  });
});

test('every stay refusal has its own infcode, and no two codes share a number', () => {
  for (const code of Object.values(STAY_REFUSALS)) expect(INFCODES[code].infcode).toBeGreaterThan(2000);
  const numbers = Object.values(INFCODES).map((c) => c.infcode);
  expect(new Set(numbers).size).toBe(numbers.length);
  expect(INFCODES.OK.infcode).toBe(0);
});
