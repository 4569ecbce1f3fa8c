// The settlement core's public surface. Pure and deterministic: no I/O, no dependencies.

export type { AdvanceFundParams, AdvanceFundStatus, WarningLevel } from './advance-fund';
export { advanceFundStatus, parseAdvanceFundParams, sizeAdvanceFund } from './advance-fund';
export type { Accumulators, ClaimContext, Setlinfo, SettleInput, Settlement, Workings } from './calculate';
export { ACCUMULATOR_FIELDS, calculate, settle, settleClassified, ZERO_ACCUMULATORS } from './calculate';
export type { Catalogue, CatalogueEntry, ChrgitmLv, ClassifiedLine, FeeLine } from './catalogue';
export { catalogue, parseFeeDetail, validateCatalogue } from './catalogue';
export type { Claim } from './claim';
export { parseAccumulators, parseClaim } from './claim';
export type { LineTotals } from './classify';
export { classify, sumClassified } from './classify';
export type { ClearingItem, ClearingStatement, NetTransfer, PairFlow, ProvincePosition } from './clearing';
export { clearingItem, clearMonth, provinceOf } from './clearing';
export type {
  CapLimit,
  CappedFund,
  CappedPayment,
  Compensation,
  CompensationInput,
  CompensationParams,
  CompensationStep,
} from './compensation';
export {
  CAPPED_FUNDS,
  capCompensationPayment,
  compensationPayment,
  computeCompensation,
  validateCompensationParams,
} from './compensation';
export type { ErrorCode, Result, ValidationError } from './errors';
export { describeErrors } from './errors';
export type { SetlDetail, SetlStep } from './explain';
export { FUND_PAY_TYPE } from './fund-pay-type';
export type { Fen } from './money';
export { fen, formatYuan, MAX_FEN, parseYuan } from './money';
export type { SetlinfoJson, SettlementJson } from './output';
export { SETLINFO_FIELDS, setlinfoToJson, settlementToJson } from './output';
export type {
  DeductibleRule,
  FilingType,
  HospLv,
  Insutype,
  MedType,
  Policy,
  PolicyDoc,
  PolicyScope,
  PsnType,
  TravellerRule,
} from './policy';
export { FILING_TYPES, HOSP_LVS, INSUTYPES, MED_TYPES, PSN_TYPES, policyToDoc } from './policy';
export type { PolicyKey, Selectable } from './policy-select';
export { findOverlaps, selectPolicyVersion } from './policy-select';
export { validatePolicy } from './policy-validate';
export type { Ratio } from './ratio';
export { applyRatio, formatRatio, parseRatio, ratio } from './ratio';
export type { Reversal } from './reversal';
export { accumulatorEffect, reverse } from './reversal';
export type { VectorCase, VectorOutput } from './vector';
export { parseVector, runVector } from './vector';
