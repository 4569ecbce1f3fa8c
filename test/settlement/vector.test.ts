// The vector format and the CLI: good input settles, bad input is refused with field and line.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { runVector } from '../../settlement/vector';
import { IO_EXAMPLE, line, vector } from './vector-helpers';

const ROOT = join(__dirname, '..', '..');

function refusal(input: unknown): string[] {
  const r = runVector(input);
  if (r.ok) throw new Error('expected refusal');
  return r.errors.map((e) => `${e.path}: ${e.code}`);
}

describe('vector format', () => {
  test('banded ratios (settlement-io.md bands example)', () => {
    const r = runVector(
      vector({
        feedetail: [line(1, '20000.00')],
        policy: {
          dedc_std: '1200.00',
          pay_ratio: null,
          pay_bands: [
            { upto: '5000.00', ratio: '0.84' },
            { upto: '15000.00', ratio: '0.90' },
            { upto: null, ratio: '0.92' },
          ],
        },
      }),
    );
    expect(r.ok && r.value.hifp_pay).toBe('16792.00');
  });

  test('temporary_ratio_cut applies to referral, temporary_other and unfiled, not emergency', () => {
    const hifp = (filing_type: string) => {
      const r = runVector(vector({ filing_type, policy: { temporary_ratio_cut: '0.10' } }));
      return r.ok ? r.value.hifp_pay : r.errors;
    };
    expect(hifp('long_term')).toBe('800.00');
    expect(hifp('emergency')).toBe('800.00');
    expect(hifp('referral')).toBe('700.00');
    expect(hifp('temporary_other')).toBe('700.00');
    expect(hifp('none')).toBe('700.00');
  });

  test('accumulators come out in the vector’s names and feed the next case', () => {
    const first = runVector(vector({ policy: { dedc_std: '800.00' }, feedetail: [line(1, '500.00')] }));
    if (!first.ok) throw new Error('unexpected');
    expect(first.value.accumulators_after).toEqual({ dedc_paid_ytd: '500.00', fund_paid_ytd: '0.00' });
    const second = runVector(
      vector({
        policy: { dedc_std: '800.00' },
        feedetail: [line(1, '1000.00')],
        accumulators: first.value.accumulators_after,
      }),
    );
    expect(second.ok && second.value.act_pay_dedc).toBe('300.00');
  });

  test.each<[string, unknown, string[]]>([
    [
      'three decimals',
      vector({ feedetail: [line(1, '1.00'), line(2, '12.345')] }),
      ['feedetail[1].det_item_fee_sumamt: format'],
    ],
    ['negative', vector({ feedetail: [line(1, '-1')] }), ['feedetail[0].det_item_fee_sumamt: format']],
    ['exponent', vector({ feedetail: [line(1, '1e3')] }), ['feedetail[0].det_item_fee_sumamt: format']],
    ['empty', vector({ feedetail: [line(1, '')] }), ['feedetail[0].det_item_fee_sumamt: format']],
    [
      'a number',
      vector({ feedetail: [{ ...line(1, '1.00'), det_item_fee_sumamt: 12.5 as unknown as string }] }),
      ['feedetail[0].det_item_fee_sumamt: type'],
    ],
    [
      '乙 without selfpay_prop',
      vector({ feedetail: [line(1, '1.00', { chrgitm_lv: '02' })] }),
      ['feedetail[0].selfpay_prop: type'],
    ],
    [
      'selfpay_prop on 甲',
      vector({ feedetail: [line(1, '1.00', { selfpay_prop: '0.10' })] }),
      ['feedetail[0].selfpay_prop: inconsistent'],
    ],
    [
      'over limit above amount',
      vector({ feedetail: [line(1, '1.00', { overlmt_amt: '2.00' })] }),
      ['feedetail[0].overlmt_amt: range'],
    ],
    [
      'bad grade',
      vector({ feedetail: [line(1, '1.00', { chrgitm_lv: '04' as '01' })] }),
      ['feedetail[0].chrgitm_lv: unsupported'],
    ],
    [
      'duplicate line',
      vector({ feedetail: [line(1, '1.00'), line(1, '2.00')] }),
      ['feedetail[1].feedetl_sn: inconsistent'],
    ],
    ['no lines', vector({ feedetail: [] }), ['feedetail: range']],
    ['unknown field', { ...IO_EXAMPLE, extra: 1 }, ['extra: unknown_field']],
    ['missing accumulators', { ...IO_EXAMPLE, accumulators: undefined }, ['accumulators: required']],
    ['unsupported med_type', { ...IO_EXAMPLE, med_type: '14' }, ['med_type: unsupported']],
    ['bad filing type', vector({ filing_type: 'forever' }), ['filing_type: unsupported']],
    [
      'ratio and bands both',
      vector({ policy: { pay_bands: [{ upto: null, ratio: '0.8' }] } }),
      ['policy.pay_ratio: inconsistent'],
    ],
    ['ratio above one', vector({ policy: { pay_ratio: '1.20' } }), ['policy.pay_ratio: format']],
    ['cap zero', vector({ policy: { annual_cap: '0.00' } }), ['policy.annual_cap: range']],
    [
      'cut above the ratio',
      vector({ policy: { temporary_ratio_cut: '0.90' } }),
      ['policy.temporary_ratio_cut: range'],
    ],
    [
      'bands descending',
      vector({
        policy: {
          pay_ratio: null,
          pay_bands: [
            { upto: '5000.00', ratio: '0.8' },
            { upto: '100.00', ratio: '0.9' },
            { upto: null, ratio: '0.9' },
          ],
        },
      }),
      ['policy.pay_bands[1].upto: range'],
    ],
    ['not an object', [1, 2], ['(root): type']],
  ])('%s is refused', (_n, input, expected) => {
    expect(refusal(input)).toEqual(expected);
  });
});

describe('CLI', () => {
  const cli = (input: string) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'settlement/cli.ts'], {
      cwd: ROOT,
      input,
      encoding: 'utf8',
    });

  test('npm run --silent settle prints the settlement', () => {
    const r = spawnSync('npm', ['run', '--silent', 'settle'], {
      cwd: ROOT,
      input: JSON.stringify(IO_EXAMPLE),
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.hifp_pay).toBe('44364.48');
    expect(out.setldetail[1].step).toBe('deductible');
  });

  test.each([
    ['not JSON', '{', 'not JSON'],
    [
      'a malformed amount',
      JSON.stringify(vector({ feedetail: [line(1, '1.00'), line(2, '12.345')] })),
      'feedetail[1].det_item_fee_sumamt',
    ],
  ])('exit 2 with one line on %s', (_n, input, mention) => {
    const r = cli(input);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(mention);
  });
});
