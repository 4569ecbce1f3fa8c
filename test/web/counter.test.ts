import iconv from 'iconv-lite';
import { lineAmount } from '../../web/src/hospital/decimal';
import { counterOf, envelope, infTime, newMsgid } from '../../web/src/hospital/envelope';
import { decodeCsv, parseFeeCsv } from '../../web/src/hospital/fee-csv';
import { fenOf, percentOf, yuan } from '../../web/src/money';

const sn = (i: number) => String(i + 1).padStart(4, '0');

describe('the counter fee form computes line amounts as the HIS does, exactly', () => {
  test.each([
    ['1', '60', '60.00'],
    ['3', '58.5', '175.50'],
    ['1.5', '12.3456', '18.52'], // 18.5184 → half up
    ['0.0001', '0.0049', '0.00'],
    ['2', '0.005', '0.01'],
    ['999999999', '9999.9999', '9999999890000.00'],
  ])('%s × %s = %s', (cnt, pric, amount) => {
    expect(lineAmount(cnt, pric)).toBe(amount);
  });
  test.each([['-1'], ['1.23456'], ['abc'], ['']])('refuses %p as a quantity', (cnt) => {
    expect(lineAmount(cnt, '1')).toBeNull();
  });
});

describe('a fee CSV is read in UTF-8 or in GB18030 (Excel’s Chinese CSV)', () => {
  const csv =
    '医保目录编码,项目名称,数量,单价\r\nBED001,"床位费,三人间",3,58.5\r\nDRG002,曲妥珠单抗,1,"7,500"\r\nSUR001,手术费,1,8000\r\n';
  test('UTF-8, with and without a BOM', () => {
    for (const bytes of [
      Buffer.from(csv),
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(csv)]),
    ]) {
      const result = parseFeeCsv(bytes, sn);
      expect(result.encoding).toBe('UTF-8');
      expect(
        result.lines.map((l) => [l.feedetl_sn, l.med_list_codg, l.medins_list_name, l.det_item_fee_sumamt]),
      ).toEqual([
        ['0001', 'BED001', '床位费,三人间', '175.50'],
        ['0002', 'SUR001', '手术费', '8000.00'],
      ]);
      // The row with a thousands separator is named, not guessed.
      expect(result.problems).toEqual(['第 3 行：单价“7,500”不是最多四位小数的数字']);
    }
  });
  test('GB18030 bytes decode to the same lines', () => {
    const bytes = iconv.encode(csv, 'gb18030');
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
    expect(decodeCsv(bytes).encoding).toBe('GB18030');
    const result = parseFeeCsv(bytes, sn);
    expect(result.lines.map((l) => l.medins_list_name)).toEqual(['床位费,三人间', '手术费']);
  });
  test('national field names work as headers; a file without the needed columns says which', () => {
    const national = parseFeeCsv(
      Buffer.from('feedetl_sn,med_list_codg,cnt,pric,det_item_fee_sumamt\nA1,MAT001,1,3000,3000.00\n'),
      sn,
    );
    expect(national.lines[0]).toMatchObject({
      feedetl_sn: 'A1',
      medins_list_codg: 'MAT001',
      det_item_fee_sumamt: '3000.00',
    });
    expect(parseFeeCsv(Buffer.from('项目名称,数量\n床位费,1\n'), sn).problems).toEqual([
      '缺少列“医保目录编码”（med_list_codg）',
      '缺少列“单价”（pric）',
    ]);
  });
});

describe('the national envelope', () => {
  const counter = counterOf({
    username: 'hosp-huaxi',
    display_name: '华西医院 医保办',
    fixmedins_code: 'H51010000001',
  });
  test('the treatment place comes from the national hospital code', () => {
    expect(counter.mdtrtarea_admvs).toBe('510100');
  });
  test('times in Beijing time as yyyy-MM-dd HH:mm:ss; msgid is the code, the time and a sequence', () => {
    const at = new Date('2026-12-01T16:30:05Z');
    expect(infTime(at)).toBe('2026-12-02 00:30:05');
    const a = newMsgid('H51010000001', at);
    const b = newMsgid('H51010000001', at);
    expect(a).toMatch(/^H5101000000120261202003005\d{4}$/);
    expect(a).toHaveLength(30);
    expect(b).not.toBe(a);
  });
  test('every header field the national platform defines is present', () => {
    const e = envelope(counter, '2301', { feedetail: [] }, '460000', 'm1');
    expect(Object.keys(e).sort()).toEqual(
      [
        'infno',
        'msgid',
        'mdtrtarea_admvs',
        'insuplc_admdvs',
        'recer_sys_code',
        'dev_no',
        'dev_safe_info',
        'cainfo',
        'signtype',
        'infver',
        'opter_type',
        'opter',
        'opter_name',
        'inf_time',
        'fixmedins_code',
        'fixmedins_name',
        'sign_no',
        'input',
      ].sort(),
    );
    expect(e).toMatchObject({
      infno: '2301',
      msgid: 'm1',
      insuplc_admdvs: '460000',
      fixmedins_code: 'H51010000001',
    });
  });
});

test('yuan strings of the national answers become fen without floats, and back', () => {
  expect(fenOf('1999.5')).toBe(199950);
  expect(fenOf(240)).toBe(24000);
  expect(fenOf('-0.01')).toBe(-1);
  expect(fenOf('0.1')).toBe(10);
  expect(fenOf('x')).toBeNull();
  expect(yuan(123456789)).toBe('¥1,234,567.89');
  expect(yuan(-5)).toBe('-¥0.05');
  expect(percentOf(100_000)).toBe('10%');
  expect(percentOf('0.125')).toBe('12.5%');
  expect(percentOf(0)).toBe('0%');
});
