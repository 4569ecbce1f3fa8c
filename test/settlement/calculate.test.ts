// Table tests per rule of the fund calculation (amounts in yuan via Y(), compared in fen).
import { ACCUMULATOR_FIELDS, calculate, settle } from '../../settlement/calculate';
import { catalogue, parseFeeDetail, validateCatalogue } from '../../settlement/catalogue';
import { parseAccumulators, parseClaim } from '../../settlement/claim';
import { CHENGDU_CATALOGUE, DEMO_POLICIES } from '../../settlement/fixtures';
import type { PolicyDoc } from '../../settlement/policy';
import { selectPolicyVersion } from '../../settlement/policy-select';
import { validatePolicy } from '../../settlement/policy-validate';
import { acc, BASE_DOC, claim, pol, step, totals, unwrap, Y } from './helpers';

const ALL = DEMO_POLICIES.map((d) => unwrap(validatePolicy(d)));
function demo(
  admvs: string,
  insutype: '310' | '390',
  hosp_lv: '1' | '2' | '3',
  psn_type: 'in_service' | 'retired',
) {
  return unwrap(
    selectPolicyVersion(ALL, { admvs, insutype, hosp_lv, med_type: '21', psn_type, on: '2025-06-30' }),
  );
}

describe('deductible (起付线)', () => {
  const yearly = (amount: string) =>
    pol({ deductible: { per_stay: { kind: 'fixed', amount }, annual_total_cap: amount } });

  test.each([
    ['nothing paid yet', '800.00', 0, 10_000, 800],
    ['part paid this year', '800.00', 500, 10_000, 300],
    ['all paid this year', '800.00', 800, 10_000, 0],
    ['stay below the deductible', '800.00', 0, 300, 300],
  ])('%s', (_n, std, paid, inscp, expected) => {
    const s = unwrap(calculate(totals(Y(inscp)), claim(), yearly(std), acc({ dedc_paid_ytd: Y(paid) })));
    expect(s.setlinfo.act_pay_dedc).toBe(Y(expected));
    expect(s.setlinfo.hifp_pay).toBe(Y((inscp - expected) * 0.8));
  });

  const share = pol({
    deductible: {
      per_stay: {
        kind: 'share_of_stay',
        share: '0.20',
        basis: 'medfee_sumamt',
        floor: '2000.00',
        cap: '10000.00',
      },
      annual_total_cap: null,
    },
  });
  test.each([
    ['floor', 5_000, 2_000],
    ['20% of the stay', 20_000, 4_000],
    ['cap', 100_000, 10_000],
  ])('Anhui share of stay: %s', (_n, total, expected) => {
    const s = unwrap(calculate(totals(Y(total)), claim(), share, acc()));
    expect(s.setlinfo.act_pay_dedc).toBe(Y(expected));
    expect(step(s, 'deductible').rule).toContain('20% of medfee_sumamt, floor 2000.00, cap 10000.00');
  });

  test('share of stay counts self-paid lines in the basis (medfee_sumamt)', () => {
    const s = unwrap(calculate(totals(Y(15_000), { full: Y(10_000) }), claim(), share, acc()));
    expect(s.setlinfo.act_pay_dedc).toBe(Y(5_000));
  });
});

describe('Xuzhou employees at 三级: annual deductible total, retirees 65%, banded co-pay', () => {
  test.each([
    ['in service, first stay', 'in_service', 0, 1_200, 3_192 + 9_000 + 4_600],
    ['in service, second stay (deductible used up)', 'in_service', 1_200, 0, 4_200 + 9_000 + 4_600],
    ['in service, part used', 'in_service', 1_000, 200, 4_032 + 9_000 + 4_600],
    ['retired, first stay (65% = 780)', 'retired', 0, 780, 3_544.8 + 9_000 + 4_600],
  ] as const)('%s', (_n, psn, paid, dedc, hifp) => {
    const p = demo('320300', '310', '3', psn);
    const s = unwrap(
      calculate(totals(Y(20_000)), claim({ psn_type: psn }), p, acc({ dedc_paid_ytd: Y(paid) })),
    );
    expect(s.setlinfo.act_pay_dedc).toBe(Y(dedc));
    expect(s.setlinfo.hifp_pay).toBe(Y(hifp));
  });

  test('level 1 has no seeded version: selection refuses', () => {
    const r = selectPolicyVersion(ALL, {
      admvs: '320300',
      insutype: '310',
      hosp_lv: '1',
      med_type: '21',
      psn_type: 'in_service',
      on: '2025-01-01',
    });
    expect(r.ok).toBe(false);
  });
});

describe('temporary travellers', () => {
  const pointsDoc: Partial<PolicyDoc> = {
    temporary_traveller: {
      ...BASE_DOC.temporary_traveller,
      referral: { kind: 'points_off', points: '0.10' },
      temporary_other: { kind: 'points_off', points: '0.20' },
    },
  };
  test.each([
    ['long_term', 8_000],
    ['emergency', 8_000],
    ['referral', 7_000],
    ['temporary_other', 6_000],
  ] as const)('points off: %s', (filing_type, hifp) => {
    const s = unwrap(calculate(totals(Y(10_000)), claim({ filing_type }), pol(pointsDoc), acc()));
    expect(s.setlinfo.hifp_pay).toBe(Y(hifp));
    if (hifp !== 8_000) expect(step(s, 'hifp').rule).toContain('points off');
  });

  test.each([
    ['long_term', 44_460],
    ['referral', 40_014],
    ['emergency', 40_014],
    ['none', 31_122],
  ] as const)('Hefei multipliers (三级 in service 90%): %s', (filing_type, hifp) => {
    const p = demo('340100', '310', '3', 'in_service');
    const s = unwrap(calculate(totals(Y(50_000)), claim({ filing_type }), p, acc()));
    expect(s.setlinfo.hifp_pay).toBe(Y(hifp));
  });
});

describe('annual cap', () => {
  test('the fund pays only what is left of the cap, and says so', () => {
    const s = unwrap(calculate(totals(Y(10_000)), claim(), pol(), acc({ hifp_paid_ytd: Y(299_000) })));
    expect(s.setlinfo.hifp_pay).toBe(Y(1_000));
    expect(s.setlinfo.pool_prop_selfpay).toBe(Y(2_000));
    expect(step(s, 'hifp').crt_payb_lmt_amt).toBe(Y(1_000));
    expect(step(s, 'hifp').rule).toContain('capped from 8000.00');
    expect(s.accumulators_after.hifp_paid_ytd).toBe(Y(300_000));
  });

  test('cap already reached: nothing from the fund', () => {
    const s = unwrap(calculate(totals(Y(10_000)), claim(), pol(), acc({ hifp_paid_ytd: Y(300_000) })));
    expect(s.setlinfo.hifp_pay).toBe(0);
    expect(s.setlinfo.psn_part_amt).toBe(Y(10_000));
  });
});

describe('layers after the pool fund', () => {
  test('Hefei residents: share-of-stay deductible, 大病 (hifmi), 医疗救助 last', () => {
    const p = demo('340100', '390', '3', 'in_service');
    const s = unwrap(calculate(totals(Y(100_000)), claim({ insutype: '390', maf_eligible: true }), p, acc()));
    expect(s.setlinfo).toMatchObject({
      act_pay_dedc: Y(10_000),
      hifp_pay: Y(58_500),
      hifmi_pay: Y(15_900),
      hifob_pay: 0,
      maf_pay: Y(17_920),
      fund_pay_sumamt: Y(92_320),
      psn_part_amt: Y(7_680),
    });
    expect(step(s, 'serious_illness').fund_pay_type).toBe('390200');
    expect(step(s, 'maf').fund_pay_type).toBe('610100');
    expect(step(s, 'hifp').fund_pay_type).toBe('390100');
    expect(s.accumulators_after.si_base_ytd).toBe(Y(41_500));
  });

  test('not eligible for assistance: maf is zero and the step says why', () => {
    const p = demo('340100', '390', '3', 'in_service');
    const s = unwrap(calculate(totals(Y(100_000)), claim({ insutype: '390' }), p, acc()));
    expect(s.setlinfo.maf_pay).toBe(0);
    expect(step(s, 'maf').rule).toContain('not eligible');
  });

  test('serious-illness threshold is crossed within the stay (year to date)', () => {
    const p = demo('460000', '390', '2', 'in_service');
    const s = unwrap(
      calculate(totals(Y(11_000)), claim({ insutype: '390' }), p, acc({ si_base_ytd: Y(14_000) })),
    );
    expect(s.setlinfo.hifp_pay).toBe(Y(7_000));
    expect(s.setlinfo.hifmi_pay).toBe(Y(2_400));
  });

  test('serious-illness cap', () => {
    const p = demo('460000', '390', '2', 'in_service');
    const s = unwrap(
      calculate(
        totals(Y(11_000)),
        claim({ insutype: '390' }),
        p,
        acc({ si_base_ytd: Y(14_000), si_paid_ytd: Y(399_000) }),
      ),
    );
    expect(s.setlinfo.hifmi_pay).toBe(Y(1_000));
  });

  test('Hefei employees: civil-servant subsidy and personal account on the in-scope share', () => {
    const p = demo('340100', '310', '3', 'in_service');
    const s = unwrap(
      calculate(totals(Y(50_000)), claim({ cvlserv_flag: true }), p, acc({ acct_balc: Y(1_000) })),
    );
    expect(s.setlinfo).toMatchObject({
      act_pay_dedc: Y(600),
      hifp_pay: Y(44_460),
      hifob_pay: 0,
      cvlserv_pay: Y(2_770),
      fund_pay_sumamt: Y(47_230),
      psn_part_amt: Y(2_770),
      acct_pay: Y(1_000),
      psn_cash_pay: Y(1_770),
      balc: 0,
    });
    expect(s.accumulators_after.acct_balc).toBe(0);
    expect(step(s, 'cvlserv').fund_pay_type).toBe('320100');
  });

  test('account covering the whole personal part (Xuzhou)', () => {
    const p = demo('320300', '310', '3', 'in_service');
    const s = unwrap(
      calculate(totals(Y(10_000), { full: Y(500) }), claim(), p, acc({ acct_balc: Y(100_000) })),
    );
    expect(s.setlinfo.acct_pay).toBe(s.setlinfo.psn_part_amt);
    expect(s.setlinfo.psn_cash_pay).toBe(0);
  });
});

describe('refusals', () => {
  test('a policy for another insurance type is refused', () => {
    const r = calculate(totals(Y(100)), claim({ insutype: '390' }), pol(), acc());
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]!.path).toBe('policy.scope.insutype');
  });
});

describe('classification by the treatment-place catalogue', () => {
  const cat = unwrap(validateCatalogue(CHENGDU_CATALOGUE));
  const lines = unwrap(
    parseFeeDetail([
      { feedetl_sn: '1', med_list_codg: 'BED001', det_item_fee_sumamt: '700.00', cnt: '10' }, // limit 600 → 100 over
      { feedetl_sn: '2', med_list_codg: 'DRG001', det_item_fee_sumamt: '1000.05', cnt: '1' }, // 乙 10% → 100.01 (half up)
      { feedetl_sn: '3', med_list_codg: 'DRG002', det_item_fee_sumamt: '3000.00', cnt: '1' }, // 丙
      { feedetl_sn: '4', med_list_codg: 'NOPE', det_item_fee_sumamt: '50.00', cnt: '1' }, // unlisted → self-pay
      { feedetl_sn: '5', med_list_codg: 'BED001', det_item_fee_sumamt: '90.00', cnt: '1.5' }, // limit 90 → none over
    ]),
  );
  const p = pol();

  test('totals and identity', () => {
    const s = unwrap(settle({ claim: claim(), lines, catalogue: cat, policy: p, accumulators: acc() }));
    expect(s.setlinfo).toMatchObject({
      medfee_sumamt: Y(4_840.05),
      overlmt_selfpay: Y(100),
      preselfpay_amt: Y(100.01),
      fulamt_ownpay_amt: Y(3_050),
      inscp_scp_amt: Y(1_590.04),
    });
    expect(step(s, 'classify').rule).toContain('1 unlisted');
  });

  test('a catalogue that rejects unlisted codes names the line', () => {
    const strict = catalogue('510100', [...cat.entries.values()], 'reject');
    const r = settle({ claim: claim(), lines, catalogue: strict, policy: p, accumulators: acc() });
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.errors).toEqual([
        expect.objectContaining({ path: 'feedetail[3].med_list_codg', code: 'not_in_catalogue' }),
      ]);
  });

  test('malformed fee lines are refused with field and line', () => {
    const r = parseFeeDetail([
      { feedetl_sn: '1', med_list_codg: 'A', det_item_fee_sumamt: '12.345', cnt: '1' },
      { feedetl_sn: '2', med_list_codg: 'A', det_item_fee_sumamt: '1.00', cnt: '-1' },
      { feedetl_sn: '2', med_list_codg: 'A', det_item_fee_sumamt: '1.00', cnt: '1' },
    ]);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors.map((e) => e.path)).toEqual([
        'feedetail[0].det_item_fee_sumamt',
        'feedetail[1].cnt',
        'feedetail[2].feedetl_sn',
      ]);
    }
  });
});

describe('reading claims and accumulators', () => {
  test('a well-formed claim', () => {
    const c = parseClaim({
      psn_no: 'P9',
      insutype: '390',
      psn_type: 'retired',
      med_type: '21',
      filing_type: 'referral',
      cvlserv_flag: false,
      maf_eligible: true,
      feedetail: [{ feedetl_sn: '1', med_list_codg: 'SUR001', det_item_fee_sumamt: '10.00', cnt: '1' }],
    });
    expect(c.ok && c.value.context.filing_type).toBe('referral');
  });

  test('every problem is reported with its path', () => {
    const c = parseClaim({
      psn_no: '',
      insutype: '320',
      psn_type: 'retired',
      med_type: '21',
      filing_type: 'referral',
      cvlserv_flag: 'no',
      feedetail: [{ feedetl_sn: '1', med_list_codg: 'X', det_item_fee_sumamt: '1e3', cnt: '1' }],
    });
    expect(c.ok).toBe(false);
    if (!c.ok) {
      expect(c.errors.map((e) => e.path)).toEqual([
        'maf_eligible',
        'psn_no',
        'insutype',
        'cvlserv_flag',
        'feedetail[0].det_item_fee_sumamt',
      ]);
    }
  });

  test('accumulators: all eight, as yuan', () => {
    const all = Object.fromEntries(ACCUMULATOR_FIELDS.map((k) => [k, '1.00']));
    expect(parseAccumulators(all).ok).toBe(true);
    const { acct_balc: _a, ...missing } = all;
    const r = parseAccumulators({ ...missing, dedc_paid_ytd: '-1.00' });
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.errors.map((e) => e.path)).toEqual(['accumulators.acct_balc', 'accumulators.dedc_paid_ytd']);
  });
});
