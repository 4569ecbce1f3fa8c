import fc from 'fast-check';

/** Malformed values for the fuzz tests: text PostgreSQL refuses, impossible dates, wrong types. */

export const nasty = fc.constantFrom(
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\u202e\u0007',
  '%00',
  '%ff%fe',
  '\\u0000',
  '',
  ' ',
  '💥'.repeat(300),
  'x'.repeat(100_000),
  'DROP TABLE filing;--',
  '<script>alert(1)</script>',
);
export const junkText = fc.oneof(
  nasty,
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ maxLength: 600 }),
);
const pad = (n: number, width: number) => String(n).padStart(width, '0');
export const badDate = fc.oneof(
  fc.constantFrom(
    '2026-02-31',
    '2026-13-01',
    '0000-00-00',
    '2027-02-29',
    '2026-04-31',
    '9999-99-99',
    '2026-1-1',
  ),
  fc
    .tuple(
      fc.integer({ min: 0, max: 9999 }),
      fc.integer({ min: 0, max: 99 }),
      fc.integer({ min: 0, max: 99 }),
    )
    .map(([y, m, d]) => `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`),
  junkText,
);
export const wrongType = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);
export const junkValue = fc.oneof(junkText, badDate, wrongType);
