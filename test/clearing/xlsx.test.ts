import zlib from 'node:zlib';
import { columnName, crc32, xlsx } from '../../api/export/xlsx';
import { cellsOf, unzip } from './unzip';

test('CRC-32 agrees with node’s zlib; column names run A … Z, AA …', () => {
  for (const s of ['', 'a', '清算 2026-11', 'x'.repeat(1000)]) {
    const b = Buffer.from(s, 'utf8');
    expect(crc32(b)).toBe(zlib.crc32(b));
  }
  expect([0, 25, 26, 27, 701, 702].map(columnName)).toEqual(['A', 'Z', 'AA', 'AB', 'ZZ', 'AAA']);
});

test('an .xlsx unzips to a workbook whose cells read back: strings, numbers as numbers, yuan amounts', () => {
  const buf = xlsx([
    {
      name: '清算单 2026-10',
      rows: [
        ['险种', '资金', '笔数', '金额（元）'],
        ['310 职工', '统筹基金', 2, { fen: 66_666_68 }],
        ['390 <居民> & "救助"', '医疗救助', 1, { fen: -80_009 }],
        [null, '合计', 3, { fen: 1 }],
      ],
      widths: [16, 12, 8, 14],
    },
  ]);
  expect(buf.subarray(0, 2).toString('latin1')).toBe('PK');
  const files = unzip(buf);
  expect([...files.keys()].sort()).toEqual([
    '[Content_Types].xml',
    '_rels/.rels',
    'xl/_rels/workbook.xml.rels',
    'xl/styles.xml',
    'xl/workbook.xml',
    'xl/worksheets/sheet1.xml',
  ]);
  expect(files.get('xl/workbook.xml')?.toString()).toContain('name="清算单 2026-10"');
  const cells = cellsOf(files.get('xl/worksheets/sheet1.xml')?.toString() ?? '');
  expect(cells.get('A1')).toEqual({ t: 'inlineStr', s: null, v: '险种' });
  expect(cells.get('C2')).toEqual({ t: null, s: null, v: '2' });
  expect(cells.get('D2')).toEqual({ t: null, s: '1', v: '66666.68' });
  expect(cells.get('A3')?.v).toBe('390 <居民> & "救助"');
  expect(cells.get('D3')?.v).toBe('-800.09');
  expect(cells.get('D4')?.v).toBe('0.01');
  expect(cells.has('A4')).toBe(false);
  expect(Number(cells.get('D2')?.v) * 100).toBeCloseTo(6_666_668, 6);
});
