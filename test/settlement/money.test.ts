import fc from 'fast-check';
import { type Fen, fen, formatYuan, isError, MAX_FEN, parseYuan } from '../../settlement/money';
import {
  applyRatio,
  bandedPay,
  formatRatio,
  NIL,
  ONE,
  parseRatio,
  type Ratio,
  ratio,
} from '../../settlement/ratio';

describe('parseYuan', () => {
  test.each([
    ['0.00', 0],
    ['0.01', 1],
    ['12.30', 1230],
    ['54700.00', 5_470_000],
    ['99999999999.99', 9_999_999_999_999],
  ])('%s → %d fen', (s, f) => {
    expect(parseYuan(s, 'x')).toBe(f);
  });

  test.each([
    ['12.345', 'format'],
    ['-1', 'format'],
    ['-1.00', 'format'],
    ['1e3', 'format'],
    ['', 'format'],
    ['12', 'format'],
    ['12.3', 'format'],
    ['012.30', 'format'],
    [' 1.00', 'format'],
    ['1,000.00', 'format'],
    ['NaN', 'format'],
    ['100000000000.00', 'format'],
    [12.3, 'type'],
    [null, 'type'],
    [undefined, 'type'],
  ])('%p is refused (%s) naming the field', (s, code) => {
    const r = parseYuan(s, 'feedetail[3].det_item_fee_sumamt');
    expect(isError(r)).toBe(true);
    expect(r).toMatchObject({ code, path: 'feedetail[3].det_item_fee_sumamt' });
  });

  test('format ∘ parse is the identity on fen', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_FEN - 1 }), (n) => {
        expect(parseYuan(formatYuan(n as Fen), 'x')).toBe(n);
      }),
    );
  });
});

describe('ratios', () => {
  test.each([
    ['0', 0],
    ['0.10', 100_000],
    ['0.888', 888_000],
    ['0.123456', 123_456],
    ['1', 1_000_000],
    ['1.00', 1_000_000],
  ])('parseRatio %s → %d ppm', (s, n) => {
    expect(parseRatio(s, 'r')).toBe(n);
  });

  test.each(['1.5', '-0.1', '88%', '0.1234567', '', '.5', '1.01'])('parseRatio refuses %p', (s) => {
    expect(isError(parseRatio(s, 'r'))).toBe(true);
  });

  test('formatRatio round-trips', () => {
    for (const s of ['0.10', '0.888', '0.123456', '1.00', '0.00', '0.05']) {
      expect(formatRatio(parseRatio(s, 'r') as Ratio)).toBe(s);
    }
  });

  test('applyRatio rounds once, half up', () => {
    expect(applyRatio(fen(1), ratio(500_000))).toBe(1); // 0.5 → 1
    expect(applyRatio(fen(3), ratio(500_000))).toBe(2); // 1.5 → 2
    expect(applyRatio(fen(1), ratio(499_999))).toBe(0);
    expect(applyRatio(fen(2_959_580), ratio(830_000))).toBe(2_456_451); // 29595.80 × 0.83 = 24564.514
  });

  test('applyRatio agrees with exact bigint arithmetic across the number/bigint boundary', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_FEN }), fc.integer({ min: 0, max: 1_000_000 }), (a, r) => {
        const n = BigInt(a) * BigInt(r);
        const q = n / 1_000_000n;
        const expected = Number(2n * (n - q * 1_000_000n) >= 1_000_000n ? q + 1n : q);
        expect(applyRatio(a as Fen, r as Ratio)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  test('bandedPay: segments, points off and multipliers, one rounding', () => {
    const bands = [
      { upto: fen(500_000), ratio: ratio(840_000) },
      { upto: fen(1_500_000), ratio: ratio(900_000) },
      { upto: null, ratio: ratio(920_000) },
    ];
    // 0..20000 yuan: 5000×.84 + 10000×.90 + 5000×.92 = 4200 + 9000 + 4600
    expect(bandedPay(fen(0), fen(2_000_000), bands, NIL, ONE)).toBe(1_780_000);
    // from 1200: (5000−1200)×.84 + 10000×.90 + 5000×.92
    expect(bandedPay(fen(120_000), fen(2_000_000), bands, NIL, ONE)).toBe(319_200 + 900_000 + 460_000);
    // ten points off each band
    expect(bandedPay(fen(0), fen(2_000_000), bands, ratio(100_000), ONE)).toBe(1_780_000 - 200_000);
    // × 0.7: 1,780,000 × 0.7
    expect(bandedPay(fen(0), fen(2_000_000), bands, NIL, ratio(700_000))).toBe(1_246_000);
    // a multiplier whose product needs 12 decimals: 1 fen-level rounding only at the end
    expect(bandedPay(fen(0), fen(333), [{ upto: null, ratio: ratio(333_333) }], NIL, ratio(333_333))).toBe(
      37,
    );
    expect(bandedPay(fen(500), fen(500), bands, NIL, ONE)).toBe(0);
  });
});
