/**
 * Fee lines from a CSV file as a hospital exports them: UTF-8 (with or without BOM) or GB18030, the
 * encoding Excel writes for a Chinese "CSV" — decoded with TextDecoder, no library. Headers may be the
 * national field names or their Chinese names; each problem names its row so the file can be fixed.
 * Plain data (no DOM, no Vue) so the Node tests import it.
 */
import { e4Of, lineAmount } from './decimal';

export interface FeeDraft {
  feedetl_sn: string;
  med_list_codg: string;
  medins_list_codg: string;
  medins_list_name: string;
  cnt: string;
  pric: string;
  /** Yuan with two decimals: the file's own amount, else cnt × pric. */
  det_item_fee_sumamt: string;
  /** `yyyy-MM-dd HH:mm:ss`, empty for "now". */
  fee_ocur_time: string;
}

export interface CsvImport {
  encoding: 'UTF-8' | 'GB18030';
  lines: FeeDraft[];
  problems: string[];
}

/** Column → field: the national names and the Chinese headers HIS exports use. */
const HEADERS: Record<string, keyof FeeDraft> = {
  feedetl_sn: 'feedetl_sn',
  明细流水号: 'feedetl_sn',
  费用明细流水号: 'feedetl_sn',
  med_list_codg: 'med_list_codg',
  医保目录编码: 'med_list_codg',
  医疗目录编码: 'med_list_codg',
  medins_list_codg: 'medins_list_codg',
  医院项目编码: 'medins_list_codg',
  医药机构目录编码: 'medins_list_codg',
  medins_list_name: 'medins_list_name',
  项目名称: 'medins_list_name',
  医院项目名称: 'medins_list_name',
  cnt: 'cnt',
  数量: 'cnt',
  pric: 'pric',
  单价: 'pric',
  det_item_fee_sumamt: 'det_item_fee_sumamt',
  金额: 'det_item_fee_sumamt',
  明细项目费用总额: 'det_item_fee_sumamt',
  fee_ocur_time: 'fee_ocur_time',
  费用发生时间: 'fee_ocur_time',
};

export function decodeCsv(bytes: Uint8Array): { text: string; encoding: CsvImport['encoding'] } {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
    return { text: new TextDecoder('utf-8').decode(bytes.subarray(3)), encoding: 'UTF-8' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'UTF-8' };
  } catch {
    // Not UTF-8: a Chinese Excel's CSV is GB18030 (GBK is its subset).
    return { text: new TextDecoder('gb18030').decode(bytes), encoding: 'GB18030' };
  }
}

/** RFC 4180 rows: quoted fields with commas, doubled quotes and line breaks. */
export function csvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => r.some((cell) => cell.trim() !== ''));
}

/** Parses a fee CSV; `nextSn(i)` numbers lines without a 明细流水号. */
export function parseFeeCsv(bytes: Uint8Array, nextSn: (index: number) => string): CsvImport {
  const { text, encoding } = decodeCsv(bytes);
  return { encoding, ...feeLinesOf(csvRows(text), nextSn) };
}

/**
 * Fee lines from a table's rows (the first is the header), checked line by line: the CSV and the
 * .xlsx import (`fee-xlsx.ts`) validate alike.
 */
export function feeLinesOf(
  rows: string[][],
  nextSn: (index: number) => string,
): { lines: FeeDraft[]; problems: string[] } {
  const [header, ...body] = rows;
  const problems: string[] = [];
  if (!header) return { lines: [], problems: ['文件是空的'] };
  const columns = header.map((h) => HEADERS[h.trim()]);
  for (const need of ['med_list_codg', 'cnt', 'pric'] as const)
    if (!columns.includes(need)) problems.push(`缺少列“${chineseOf(need)}”（${need}）`);
  if (problems.length) return { lines: [], problems };
  const lines: FeeDraft[] = [];
  for (const [i, cells] of body.entries()) {
    const at = `第 ${i + 2} 行`;
    const get = (f: keyof FeeDraft) => {
      const col = columns.indexOf(f);
      return col >= 0 ? (cells[col] ?? '').trim() : '';
    };
    const draft: FeeDraft = {
      feedetl_sn: get('feedetl_sn') || nextSn(lines.length),
      med_list_codg: get('med_list_codg'),
      medins_list_codg: get('medins_list_codg') || get('med_list_codg'),
      medins_list_name: get('medins_list_name'),
      cnt: get('cnt'),
      pric: get('pric'),
      det_item_fee_sumamt: '',
      fee_ocur_time: get('fee_ocur_time'),
    };
    const problem = !draft.med_list_codg
      ? '医保目录编码为空'
      : e4Of(draft.cnt) === null
        ? `数量“${draft.cnt}”不是最多四位小数的数字`
        : e4Of(draft.pric) === null
          ? `单价“${draft.pric}”不是最多四位小数的数字`
          : '';
    if (problem) {
      problems.push(`${at}：${problem}`);
      continue;
    }
    draft.det_item_fee_sumamt = get('det_item_fee_sumamt') || (lineAmount(draft.cnt, draft.pric) ?? '');
    lines.push(draft);
  }
  return { lines, problems };
}

function chineseOf(field: keyof FeeDraft): string {
  return Object.entries(HEADERS).find(([name, f]) => f === field && /[^\w]/.test(name))?.[0] ?? field;
}
