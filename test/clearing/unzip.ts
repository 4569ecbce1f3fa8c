import zlib from 'node:zlib';

/** Reads a zip's entries through its central directory, checking each CRC-32 with node's zlib. */
export function unzip(buf: Buffer): Map<string, Buffer> {
  const end = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  expect(end).toBeGreaterThan(0);
  const count = buf.readUInt16LE(end + 10);
  let p = buf.readUInt32LE(end + 16);
  const out = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    expect(buf.readUInt32LE(p)).toBe(0x02014b50);
    const method = buf.readUInt16LE(p + 10);
    const crc = buf.readUInt32LE(p + 16);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extra = buf.readUInt16LE(p + 30);
    const comment = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    expect(buf.readUInt32LE(local)).toBe(0x04034b50);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(start, start + buf.readUInt32LE(local + 18));
    const data = method === 8 ? zlib.inflateRawSync(raw) : Buffer.from(raw);
    expect([name, data.length]).toEqual([name, size]);
    expect([name, zlib.crc32(data)]).toEqual([name, crc]);
    out.set(name, data);
    p += 46 + nameLen + extra + comment;
  }
  return out;
}

/** The cells of a worksheet: ref → { type, value } (inline strings unescaped). */
export function cellsOf(sheetXml: string): Map<string, { t: string | null; s: string | null; v: string }> {
  const cells = new Map<string, { t: string | null; s: string | null; v: string }>();
  for (const m of sheetXml.matchAll(/<c r="([A-Z]+\d+)"((?: [a-z]+="[^"]*")*)>(.*?)<\/c>/g)) {
    const attrs = Object.fromEntries(
      [...(m[2] ?? '').matchAll(/ ([a-z]+)="([^"]*)"/g)].map((a) => [a[1], a[2]]),
    );
    const body = m[3] ?? '';
    const v =
      attrs.t === 'inlineStr'
        ? (/<t[^>]*>(.*?)<\/t>/s.exec(body)?.[1] ?? '')
        : (/<v>(.*?)<\/v>/.exec(body)?.[1] ?? '');
    cells.set(m[1] as string, {
      t: attrs.t ?? null,
      s: attrs.s ?? null,
      v: v
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&quot;/g, '"')
        .replace(/&amp;/g, '&'),
    });
  }
  return cells;
}
