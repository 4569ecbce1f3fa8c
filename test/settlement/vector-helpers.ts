// Builders for vector-format cases (settlement-io.md), so each test states only what it varies.
export interface VectorLine {
  feedetl_sn: string;
  med_list_codg: string;
  det_item_fee_sumamt: string;
  chrgitm_lv: '01' | '02' | '03';
  selfpay_prop?: string;
  overlmt_amt?: string;
}

export interface VectorPolicy {
  dedc_std: string;
  pay_ratio: string | null;
  pay_bands: { upto: string | null; ratio: string }[] | null;
  annual_cap: string;
  temporary_ratio_cut: string;
}

export function line(sn: number, amount: string, extra: Partial<VectorLine> = {}): VectorLine {
  return {
    feedetl_sn: String(sn),
    med_list_codg: `X${sn}`,
    det_item_fee_sumamt: amount,
    chrgitm_lv: '01',
    ...extra,
  };
}

export function vector(over: {
  feedetail?: VectorLine[];
  policy?: Partial<VectorPolicy>;
  accumulators?: { dedc_paid_ytd: string; fund_paid_ytd: string };
  filing_type?: string;
  insutype?: string;
}) {
  return {
    psn_no: 'P001',
    insutype: over.insutype ?? '310',
    med_type: '21',
    insuplc_admdvs: '340100',
    mdtrtarea_admvs: '510100',
    filing_type: over.filing_type ?? 'long_term',
    feedetail: over.feedetail ?? [line(1, '1000.00')],
    policy: {
      dedc_std: '0.00',
      pay_ratio: '0.80',
      pay_bands: null,
      annual_cap: '300000.00',
      temporary_ratio_cut: '0.00',
      ...over.policy,
    },
    accumulators: over.accumulators ?? { dedc_paid_ytd: '0.00', fund_paid_ytd: '0.00' },
  };
}

/** The input example of settlement-io.md, verbatim. */
export const IO_EXAMPLE = {
  psn_no: 'P001',
  insutype: '310',
  med_type: '21',
  insuplc_admdvs: '340100',
  mdtrtarea_admvs: '510100',
  filing_type: 'long_term',
  feedetail: [
    { feedetl_sn: '1', med_list_codg: 'X01', det_item_fee_sumamt: '34000.00', chrgitm_lv: '01' },
    {
      feedetl_sn: '2',
      med_list_codg: 'X02',
      det_item_fee_sumamt: '18200.00',
      chrgitm_lv: '02',
      selfpay_prop: '0.10',
    },
    { feedetl_sn: '3', med_list_codg: 'X03', det_item_fee_sumamt: '2000.00', chrgitm_lv: '03' },
    {
      feedetl_sn: '4',
      med_list_codg: 'X04',
      det_item_fee_sumamt: '500.00',
      chrgitm_lv: '01',
      overlmt_amt: '120.00',
    },
  ],
  policy: {
    dedc_std: '800.00',
    pay_ratio: '0.888',
    pay_bands: null,
    annual_cap: '300000.00',
    temporary_ratio_cut: '0.00',
  },
  accumulators: { dedc_paid_ytd: '0.00', fund_paid_ytd: '0.00' },
};
