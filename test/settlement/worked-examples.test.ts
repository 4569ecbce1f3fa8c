// The worked examples of settlement-io.md, through the same path as the CLI.
import { runVector, type VectorOutput } from '../../settlement/vector';
import { IO_EXAMPLE, line, vector } from './vector-helpers';

function run(input: unknown): VectorOutput {
  const r = runVector(input);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
}

describe('settlement-io.md worked examples', () => {
  test('the input example: classification totals and deductible', () => {
    const out = run(IO_EXAMPLE);
    expect(out).toMatchObject({
      medfee_sumamt: '54700.00',
      fulamt_ownpay_amt: '2000.00',
      overlmt_selfpay: '120.00',
      preselfpay_amt: '1820.00',
      inscp_scp_amt: '50760.00',
      act_pay_dedc: '800.00',
      // (50760 − 800) × 0.888 = 44364.48
      hifp_pay: '44364.48',
      fund_pay_sumamt: '44364.48',
      psn_part_amt: '10335.52',
    });
    expect(out.setldetail.map((d) => d.step)).toEqual([
      'classify',
      'deductible',
      'hifp',
      'serious_illness',
      'cvlserv',
      'oth',
      'maf',
      'acct',
    ]);
  });

  test('1. Chengdu 2012: 30,000 in scope, deductible 404.20, ratio 0.83', () => {
    const out = run(
      vector({ feedetail: [line(1, '30000.00')], policy: { dedc_std: '404.20', pay_ratio: '0.83' } }),
    );
    expect(out.hifp_pay).toBe('24564.51');
    expect(out.psn_part_amt).toBe('5435.49');
    expect(out.act_pay_dedc).toBe('404.20');
  });

  test('2. 150,000 in scope, deductible 900, ratio 0.80, cap 200,000', () => {
    const out = run(
      vector({
        feedetail: [line(1, '150000.00')],
        policy: { dedc_std: '900.00', pay_ratio: '0.80', annual_cap: '200000.00' },
      }),
    );
    expect(out.hifp_pay).toBe('119280.00');
    expect(out.psn_part_amt).toBe('30720.00');
    expect(out.fund_pay_sumamt).toBe('119280.00');
  });
});
