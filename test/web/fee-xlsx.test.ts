import { crc32 } from '../../api/export/xlsx';
import { parseFeeCsv } from '../../web/src/hospital/fee-csv';
import { looksLikeXlsx, parseFeeXlsx } from '../../web/src/hospital/fee-xlsx';
import { xlsx } from '../support/xlsx';

const sn = (i: number) => String(i + 1).padStart(4, '0');

describe('the counter reads fee lines from an Excel workbook (.xlsx) as it reads a CSV', () => {
  const rows: (string | number)[][] = [
    ['医保目录编码', '项目名称', '数量', '单价'],
    ['BED001', '床位费,三人间 & 陪护', 3, 58.5],
    ['DRG002', '曲妥珠单抗', 1, 'abc'],
    ['SUR001', '手术费', 1, 8000],
    ['DRG001', '阿托伐他汀钙片', 0.1 + 0.2, 3.5],
  ];

  test.each([
    ['stored', false],
    ['deflated', true],
  ])(
    '%s entries: shared strings and numbers, each problem named by its row like the CSV',
    async (_, deflate) => {
      const bytes = xlsx(rows, { deflate });
      expect(looksLikeXlsx(bytes)).toBe(true);
      const result = await parseFeeXlsx(bytes, sn);
      expect(
        result.lines.map((l) => [
          l.feedetl_sn,
          l.med_list_codg,
          l.medins_list_name,
          l.cnt,
          l.det_item_fee_sumamt,
        ]),
      ).toEqual([
        ['0001', 'BED001', '床位费,三人间 & 陪护', '3', '175.50'],
        ['0002', 'SUR001', '手术费', '1', '8000.00'],
        // Excel's double 0.30000000000000004 is read as the 0.3 that was meant.
        ['0003', 'DRG001', '阿托伐他汀钙片', '0.3', '1.05'],
      ]);
      // The same checks as the CSV path: the same table (typed values) as CSV gives the same problems.
      const csv = rows
        .slice(0, 4)
        .map((r) => r.map((c) => `"${String(c)}"`).join(','))
        .join('\n');
      expect(result.problems).toEqual(parseFeeCsv(Buffer.from(csv), sn).problems);
      expect(result.problems).toEqual(['第 3 行：单价“abc”不是最多四位小数的数字']);
    },
  );

  test('a workbook without the needed columns, and a file that is no workbook, are refused saying why', async () => {
    expect((await parseFeeXlsx(xlsx([['名称'], ['床位费']]), sn)).problems).toEqual([
      '缺少列“医保目录编码”（med_list_codg）',
      '缺少列“数量”（cnt）',
      '缺少列“单价”（pric）',
    ]);
    const broken = await parseFeeXlsx(Buffer.from('PK\u0003\u0004 not really a zip'), sn);
    expect(broken.lines).toEqual([]);
    expect(broken.problems[0]).toContain('.xlsx');
    expect(looksLikeXlsx(Buffer.from('医保目录编码,数量'))).toBe(false);
  });

  test('the writer’s CRC32 is the standard one', () => {
    expect(crc32(Buffer.from('123456789')).toString(16)).toBe('cbf43926');
  });
});
