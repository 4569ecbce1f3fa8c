import { Admdvs, InsuredPerson, provinceOf } from '../db/entities';
import type { ActivityDeps } from './deps';
import { personNotFound } from './errors';

export interface InsuredStatus {
  psn_no: string;
  insu_status: string;
  insuplc_admdvs: string;
  prov_admdvs: string;
}

/** 人员待遇享受检查 for filings: is the person insured, where, and is the insurance active. */
export function insuredStatusActivities({ orm }: ActivityDeps) {
  return {
    async checkInsuredStatus({ psn_no }: { psn_no: string }): Promise<InsuredStatus> {
      const em = orm.em.fork();
      const person = await em.findOne(InsuredPerson, { psn_no });
      if (!person) throw personNotFound(psn_no);
      const insuplc = person.insuplc_admdvs.unwrap().admdvs;
      const region = await em.findOne(Admdvs, { admdvs: insuplc });
      return {
        psn_no,
        insu_status: person.insu_status,
        insuplc_admdvs: insuplc,
        prov_admdvs: region?.prov_admdvs ?? provinceOf(insuplc),
      };
    },
  };
}
