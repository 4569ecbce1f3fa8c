// fund_pay_type codes used in setldetail. Taken from public HIS integrations of the national
// interface; [U] to be checked against the national dictionary (基金支付类型) before production.
import type { Insutype } from './policy';

export const FUND_PAY_TYPE = {
  /** 职工基本医疗保险统筹基金 */
  employee_pool: '310100',
  /** 职工基本医疗保险个人账户 */
  personal_account: '310200',
  /** 公务员医疗补助资金 */
  civil_servant: '320100',
  /** 职工大额医疗费用补助基金 (hifob) */
  employee_large: '330100',
  /** 城乡居民基本医疗保险基金 */
  resident_pool: '390100',
  /** 城乡居民大病医疗保险资金 (hifmi) */
  resident_serious_illness: '390200',
  /** 医疗救助基金 */
  medical_assistance: '610100',
} as const;

export function poolFundPayType(insutype: Insutype): string {
  return insutype === '310' ? FUND_PAY_TYPE.employee_pool : FUND_PAY_TYPE.resident_pool;
}
