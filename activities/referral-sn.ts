import { createHash } from 'node:crypto';
import type { ActivityDeps } from './deps';

/**
 * 待遇申报明细流水号 as 2501 returns it. Derived from the referral id, so a retried activity returns
 * the same serial: 'TD' + insured area + YYYYMMDD + 10 hex digits.
 */
export function referralSnActivities(_deps: ActivityDeps) {
  return {
    async issueTrtDclaDetlSn({
      referral_id,
      insuplc_admdvs,
      date,
    }: {
      referral_id: string;
      insuplc_admdvs: string;
      date: string;
    }): Promise<string> {
      const digest = createHash('sha256').update(referral_id).digest('hex').slice(0, 10).toUpperCase();
      return `TD${insuplc_admdvs}${date.replaceAll('-', '')}${digest}`;
    },
  };
}
