import { barChart, niceMax, PLOT, shortNumber, targetY } from '../../web/src/coordination/chart';
import {
  filtersFromQuery,
  pairOf,
  queryFromFilters,
  withFilter,
  withPair,
} from '../../web/src/coordination/filters';
import {
  addMonths,
  isMonth,
  lastClearedMonth,
  monthLabel,
  monthOf,
  monthsBetween,
} from '../../web/src/coordination/months';
import {
  actionParams,
  orderedLines,
  pairsOf,
  provincesOf,
  sideOf,
  yuanInput,
} from '../../web/src/coordination/view';

describe('the error board keeps its filters in the URL query', () => {
  test('a bookmarked query gives back the same filters, in a stable order', () => {
    const filters = filtersFromQuery({
      status: 'OPEN',
      insured_prov: '340000',
      treatment_prov: '460000',
      page: '3',
      sla_state: ['overdue', 'met'],
      category: '  ',
      first_responder: null,
    });
    expect(filters).toEqual({
      insured_prov: '340000',
      treatment_prov: '460000',
      status: 'OPEN',
      sla_state: 'overdue',
    });
    expect(Object.keys(queryFromFilters(filters))).toEqual([
      'insured_prov',
      'treatment_prov',
      'status',
      'sla_state',
    ]);
    expect(filtersFromQuery(queryFromFilters(filters))).toEqual(filters);
  });

  test('one filter changes or clears, the others stay', () => {
    const f = withFilter({ status: 'OPEN', category: 'filing_missing' }, 'status', '');
    expect(f).toEqual({ category: 'filing_missing' });
    expect(withFilter(f, 'first_responder', 'insured')).toEqual({
      category: 'filing_missing',
      first_responder: 'insured',
    });
  });

  test('the province pair is one select value', () => {
    const f = withPair({ status: 'OPEN' }, '340000-460000');
    expect(f).toEqual({ status: 'OPEN', insured_prov: '340000', treatment_prov: '460000' });
    expect(pairOf(f)).toBe('340000-460000');
    expect(withPair(f, undefined)).toEqual({ status: 'OPEN' });
    expect(pairOf({ insured_prov: '340000' })).toBe('');
  });
});

describe('months of clearing and monitoring, in Beijing time', () => {
  test('the month of an instant is Beijing’s: 31 Dec 17:00 UTC is already January', () => {
    expect(monthOf(Date.parse('2026-12-31T17:00:00Z'))).toBe('2027-01');
    expect(monthOf(Date.parse('2026-12-31T15:59:59Z'))).toBe('2026-12');
    expect(lastClearedMonth(Date.parse('2027-01-01T02:00:00+08:00'))).toBe('2026-12');
  });
  test('months move across years and list inclusively', () => {
    expect(addMonths('2026-11', 2)).toBe('2027-01');
    expect(addMonths('2026-01', -1)).toBe('2025-12');
    expect(monthsBetween('2026-11', '2027-02')).toEqual(['2026-11', '2026-12', '2027-01', '2027-02']);
    expect(monthsBetween('2027-02', '2026-11')).toEqual([]);
    expect(() => addMonths('2026-13', 1)).toThrow();
  });
  test('only YYYY-MM is a month; labels are Chinese', () => {
    expect(isMonth('2026-12')).toBe(true);
    expect(isMonth('2026-1')).toBe(false);
    expect(isMonth(['2026-12'])).toBe(false);
    expect(monthLabel('2026-03')).toBe('2026年3月');
  });
});

describe('chart geometry', () => {
  test('the axis ends at a round number above the largest bar', () => {
    expect(niceMax(0)).toBe(1);
    expect(niceMax(7)).toBe(10);
    expect(niceMax(130)).toBe(200);
    expect(niceMax(4_200_000)).toBe(5_000_000);
    expect(niceMax(1000)).toBe(1000);
  });
  test('bars stand on the plot bottom, proportional to their values, side by side per group', () => {
    const chart = barChart([
      { label: '11月', values: [50, 100] },
      { label: '12月', values: [0, 25] },
    ]);
    const bottom = PLOT.height - PLOT.bottom;
    const plotHeight = bottom - PLOT.top;
    expect(chart.max).toBe(100);
    const [a, b] = chart.groups[0]?.bars ?? [];
    expect(a?.height).toBeCloseTo(plotHeight / 2);
    expect(b?.height).toBeCloseTo(plotHeight);
    expect((a?.y ?? 0) + (a?.height ?? 0)).toBeCloseTo(bottom);
    expect(b?.x).toBeGreaterThan(a?.x ?? 0);
    expect(chart.groups[1]?.x).toBeGreaterThan((b?.x ?? 0) + (b?.width ?? 0));
    expect(chart.groups[1]?.bars[0]?.height).toBe(0);
    expect(chart.ticks.map((t) => t.value)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(barChart([{ label: 'x', values: [3] }]).ticks.map((t) => t.value)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(barChart([{ label: 'x', values: [130] }]).ticks.map((t) => t.value)).toEqual([
      0, 50, 100, 150, 200,
    ]);
    // Everything inside the view box.
    for (const g of chart.groups)
      for (const bar of g.bars) expect(bar.x + bar.width).toBeLessThanOrEqual(PLOT.width - PLOT.right);
  });
  test('a ratio chart runs to 100% and the 70% target line sits at 70% of its height', () => {
    const chart = barChart([{ label: 'x', values: [350_000] }], { max: 1_000_000 });
    const plotHeight = PLOT.height - PLOT.bottom - PLOT.top;
    expect(chart.groups[0]?.bars[0]?.height).toBeCloseTo(plotHeight * 0.35);
    expect(PLOT.height - PLOT.bottom - targetY(700_000)).toBeCloseTo(plotHeight * 0.7);
    expect(targetY(2_000_000)).toBe(PLOT.top);
  });
  test('axis labels are short Chinese numbers', () => {
    expect(shortNumber(12_000)).toBe('1.2万');
    expect(shortNumber(3_500_000)).toBe('350万');
    expect(shortNumber(200_000_000)).toBe('2亿');
    expect(shortNumber(75)).toBe('75');
  });
});

describe('coordinator screen helpers', () => {
  const places = [
    // 安徽 has no row of its own, only its cities (as the demo 统筹区).
    { admdvs: '340100', admdvs_name: '合肥市', prov_admdvs: '340000' },
    { admdvs: '460000', admdvs_name: '海南省', prov_admdvs: '460000' },
    { admdvs: '510100', admdvs_name: '成都市', prov_admdvs: '510000' },
    { admdvs: '340200', admdvs_name: '芜湖市', prov_admdvs: '340000' },
  ];
  test('the pairs a coordinator filters by are both directions with each other province', () => {
    expect(provincesOf(places)).toEqual(['340000', '460000', '510000']);
    expect(pairsOf('340000', provincesOf(places))).toEqual([
      '340000-460000',
      '460000-340000',
      '340000-510000',
      '510000-340000',
    ]);
    expect(pairsOf(null, provincesOf(places))).toEqual([]);
  });
  test('the viewer’s side of a pair', () => {
    expect(sideOf('340000', '340000', '460000')).toBe('insured');
    expect(sideOf('460000', '340000', '460000')).toBe('treatment');
    expect(sideOf('510000', '340000', '460000')).toBeNull();
  });
  test('statement lines read per insurance type, 医疗救助 last', () => {
    const line = (insutype: string, fund: 'fund' | 'acct' | 'maf') => ({
      insutype,
      fund,
      settlements: 1,
      reversals: 0,
      medfee_sumamt: 1,
      amount: 1,
    });
    expect(
      orderedLines([
        line('390', 'maf'),
        line('310', 'maf'),
        line('390', 'fund'),
        line('310', 'acct'),
        line('310', 'fund'),
      ]).map((l) => `${l.insutype}:${l.fund}`),
    ).toEqual(['310:fund', '310:acct', '310:maf', '390:fund', '390:maf']);
  });
  test('amounts are typed as yuan strings with at most two decimals', () => {
    expect(yuanInput(' 120.5 ')).toBe('120.5');
    expect(yuanInput('500000.00')).toBe('500000.00');
    expect(yuanInput('1.234')).toBeNull();
    expect(yuanInput('-3')).toBeNull();
    expect(yuanInput('')).toBeNull();
  });
  test('an action sends only its own params, and none may be empty', () => {
    expect(
      actionParams('remap_catalogue', { medins_list_codg: ' H-1 ', med_list_codg: 'X1', other: 'y' }),
    ).toEqual({
      medins_list_codg: 'H-1',
      med_list_codg: 'X1',
    });
    expect(actionParams('remap_catalogue', { medins_list_codg: 'H-1' })).toBeNull();
    expect(actionParams('restore_filing', { anything: 'x' })).toEqual({});
  });
});
