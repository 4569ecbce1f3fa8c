/**
 * Fee lines from an Excel workbook (.xlsx) without a library: the zip's central directory read by
 * hand, entries inflated with the platform's DecompressionStream('deflate-raw') (browsers and Node 20
 * have it), the first worksheet's cells with the shared strings, then the same checks as a CSV
 * (`feeLinesOf` in fee-csv.ts). Plain data (no DOM, no Vue) so the Node tests import it.
 */
import { type FeeDraft, feeLinesOf } from './fee-csv';

export interface XlsxImport {
  lines: FeeDraft[];
  problems: string[];
}

/** The first bytes of a zip (an .xlsx is one): "PK\x03\x04". */
export function looksLikeXlsx(bytes: Uint8Array): boolean {
  return bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

interface Entry {
  method: number;
  compressed: number;
  offset: number;
}

/** The zip's entries by name, from its central directory (found through the end record). */
function zipEntries(bytes: Uint8Array): Map<string, Entry> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let end = -1;
  // The end record is 22 bytes plus a comment of up to 65,535.
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65_535); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Error('不是有效的 .xlsx 文件（找不到 zip 目录）');
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  const names = new TextDecoder('utf-8');
  const entries = new Map<string, Entry>();
  for (let n = 0; n < count; n++) {
    if (view.getUint32(at, true) !== 0x02014b50) throw new Error('不是有效的 .xlsx 文件（zip 目录损坏）');
    const nameLength = view.getUint16(at + 28, true);
    const extra = view.getUint16(at + 30, true);
    const comment = view.getUint16(at + 32, true);
    entries.set(names.decode(bytes.subarray(at + 46, at + 46 + nameLength)), {
      method: view.getUint16(at + 10, true),
      compressed: view.getUint32(at + 20, true),
      offset: view.getUint32(at + 42, true),
    });
    at += 46 + nameLength + extra + comment;
  }
  return entries;
}

async function entryText(bytes: Uint8Array, entry: Entry): Promise<string> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const start =
    entry.offset + 30 + view.getUint16(entry.offset + 26, true) + view.getUint16(entry.offset + 28, true);
  const data = bytes.slice(start, start + entry.compressed);
  if (entry.method === 0) return new TextDecoder('utf-8').decode(data);
  if (entry.method !== 8) throw new Error(`不支持的 .xlsx 压缩方式 ${entry.method}`);
  const stream = new Blob([data]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
  return new Response(stream).text();
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function unescapeXml(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, e: string) =>
    e[0] === '#'
      ? String.fromCodePoint(
          e[1] === 'x' || e[1] === 'X' ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1)),
        )
      : (ENTITIES[e] ?? ''),
  );
}

/** The text of each `<si>`: plain (`<t>`) or rich (several `<r><t>` runs); phonetic runs left out. */
function sharedStrings(xml: string): string[] {
  return [...xml.matchAll(/<si>([\s\S]*?)<\/si>/g)].map((m) =>
    [...(m[1] ?? '').replace(/<rPh[\s\S]*?<\/rPh>/g, '').matchAll(/<t(?:\s[^>]*)?>([\s\S]*?)<\/t>/g)]
      .map((t) => unescapeXml(t[1] ?? ''))
      .join(''),
  );
}

/** "A" → 0, "AB" → 27. */
function columnIndex(ref: string): number {
  let n = 0;
  for (const ch of ref.replace(/\d+$/, '')) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

/**
 * A number cell as a decimal string. Excel keeps doubles: a typed 3.5 is stored "3.5", but a computed
 * cell may read "0.30000000000000004" or "1E-3"; those are rounded to the 4 decimals a quantity or a
 * price may carry (the line's checks then apply as to typed text).
 */
function numberText(v: string): string {
  if (!/e|\.\d{5,}/i.test(v)) return v;
  const n = Number(v);
  return Number.isFinite(n) ? n.toFixed(4).replace(/\.?0+$/, '') : v;
}

function sheetRows(xml: string, strings: string[]): string[][] {
  const rows: string[][] = [];
  for (const row of xml.matchAll(/<row\b[^>]*>([\s\S]*?)<\/row>/g)) {
    const cells: string[] = [];
    for (const c of (row[1] ?? '').matchAll(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
      const attrs = c[1] ?? '';
      const body = c[2] ?? '';
      const ref = /\br="([A-Z]+\d+)"/.exec(attrs)?.[1];
      const type = /\bt="(\w+)"/.exec(attrs)?.[1] ?? 'n';
      const v = unescapeXml(/<v>([\s\S]*?)<\/v>/.exec(body)?.[1] ?? '');
      const value =
        type === 's'
          ? (strings[Number(v)] ?? '')
          : type === 'inlineStr'
            ? [...body.matchAll(/<t(?:\s[^>]*)?>([\s\S]*?)<\/t>/g)]
                .map((t) => unescapeXml(t[1] ?? ''))
                .join('')
            : type === 'n'
              ? numberText(v)
              : v;
      cells[ref ? columnIndex(ref) : cells.length] = value;
    }
    rows.push(Array.from(cells, (cell) => cell ?? ''));
  }
  return rows.filter((r) => r.some((cell) => cell.trim() !== ''));
}

/** The first worksheet as the workbook lists it (its relationship's target), else sheet1. */
async function firstSheet(bytes: Uint8Array, entries: Map<string, Entry>): Promise<Entry | undefined> {
  const workbook = entries.get('xl/workbook.xml');
  const rels = entries.get('xl/_rels/workbook.xml.rels');
  if (workbook && rels) {
    const rid = /<sheet\b[^>]*\br:id="([^"]+)"/.exec(await entryText(bytes, workbook))?.[1];
    const relsXml = await entryText(bytes, rels);
    const target = rid
      ? [...relsXml.matchAll(/<Relationship\b[^>]*>/g)]
          .map((m) => m[0])
          .find((r) => r.includes(`Id="${rid}"`))
          ?.match(/Target="([^"]+)"/)?.[1]
      : undefined;
    if (target) {
      const path = target.startsWith('/') ? target.slice(1) : `xl/${target}`;
      const found = entries.get(path);
      if (found) return found;
    }
  }
  return entries.get('xl/worksheets/sheet1.xml');
}

/** Parses a fee workbook; `nextSn(i)` numbers lines without a 明细流水号. */
export async function parseFeeXlsx(
  bytes: Uint8Array,
  nextSn: (index: number) => string,
): Promise<XlsxImport> {
  try {
    const entries = zipEntries(bytes);
    const sheet = await firstSheet(bytes, entries);
    if (!sheet) return { lines: [], problems: ['.xlsx 文件中没有工作表'] };
    const shared = entries.get('xl/sharedStrings.xml');
    const strings = shared ? sharedStrings(await entryText(bytes, shared)) : [];
    return feeLinesOf(sheetRows(await entryText(bytes, sheet), strings), nextSn);
  } catch (error) {
    return { lines: [], problems: [error instanceof Error ? error.message : String(error)] };
  }
}
