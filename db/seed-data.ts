import type { HospLv, InsuStatus, Insutype, NetworkStatus, PsnType, Role } from './entities';

/**
 * Demo reference data: a few pooling regions on both sides of the typical cross-province flows
 * (安徽/海南/江苏/广东 insured → 四川/上海/北京 treated), their networked hospitals, demo citizens, and
 * agency accounts. Every demo account's password is DEMO_PASSWORD (documented in the README).
 */
export const DEMO_PASSWORD = 'yidi-demo';

export const demoAdmdvs: { admdvs: string; admdvs_name: string; prov_admdvs: string }[] = [
  { admdvs: '340100', admdvs_name: '合肥市', prov_admdvs: '340000' },
  { admdvs: '320300', admdvs_name: '徐州市', prov_admdvs: '320000' },
  { admdvs: '440300', admdvs_name: '深圳市', prov_admdvs: '440000' },
  { admdvs: '510100', admdvs_name: '成都市', prov_admdvs: '510000' },
  // Hainan pools province-wide, so filings to it name the province (brief, addendum).
  { admdvs: '460000', admdvs_name: '海南省（省级统筹）', prov_admdvs: '460000' },
  { admdvs: '310000', admdvs_name: '上海市', prov_admdvs: '310000' },
  { admdvs: '110000', admdvs_name: '北京市', prov_admdvs: '110000' },
];

export const demoHospitals: {
  fixmedins_code: string;
  fixmedins_name: string;
  admdvs: string;
  hosp_lv: HospLv;
  network_status: NetworkStatus;
}[] = [
  {
    fixmedins_code: 'H51010000001',
    fixmedins_name: '四川大学华西医院',
    admdvs: '510100',
    hosp_lv: '3',
    network_status: 'networked',
  },
  {
    fixmedins_code: 'H51010000002',
    fixmedins_name: '成都市第三人民医院',
    admdvs: '510100',
    hosp_lv: '3',
    network_status: 'networked',
  },
  {
    fixmedins_code: 'H51010000003',
    fixmedins_name: '成都市锦江区社区卫生服务中心',
    admdvs: '510100',
    hosp_lv: '1',
    network_status: 'not_networked',
  },
  {
    fixmedins_code: 'H31000000001',
    fixmedins_name: '上海交通大学医学院附属瑞金医院',
    admdvs: '310000',
    hosp_lv: '3',
    network_status: 'networked',
  },
  {
    fixmedins_code: 'H11000000001',
    fixmedins_name: '北京协和医院',
    admdvs: '110000',
    hosp_lv: '3',
    network_status: 'networked',
  },
  {
    fixmedins_code: 'H34010000001',
    fixmedins_name: '安徽医科大学第一附属医院',
    admdvs: '340100',
    hosp_lv: '3',
    network_status: 'networked',
  },
  {
    fixmedins_code: 'H32030000001',
    fixmedins_name: '徐州市中心医院',
    admdvs: '320300',
    hosp_lv: '3',
    network_status: 'networked',
  },
  {
    fixmedins_code: 'H32030000002',
    fixmedins_name: '徐州市铜山区人民医院',
    admdvs: '320300',
    hosp_lv: '2',
    network_status: 'suspended',
  },
  {
    fixmedins_code: 'H44030000001',
    fixmedins_name: '深圳市人民医院',
    admdvs: '440300',
    hosp_lv: '3',
    network_status: 'networked',
  },
  {
    fixmedins_code: 'H46000000001',
    fixmedins_name: '海南省人民医院',
    admdvs: '460000',
    hosp_lv: '3',
    network_status: 'networked',
  },
];

export const demoPersons: {
  psn_no: string;
  psn_name: string;
  certno17: string;
  gend: '1' | '2';
  brdy: string;
  insutype: Insutype;
  psn_type: PsnType;
  insuplc_admdvs: string;
  insu_status: InsuStatus;
}[] = [
  {
    psn_no: 'P34010000000001',
    psn_name: '张伟',
    certno17: '34010219800312001',
    gend: '1',
    brdy: '1980-03-12',
    insutype: '310',
    psn_type: 'in_service',
    insuplc_admdvs: '340100',
    insu_status: 'active',
  },
  {
    psn_no: 'P34010000000002',
    psn_name: '李秀英',
    certno17: '34010219560704002',
    gend: '2',
    brdy: '1956-07-04',
    insutype: '310',
    psn_type: 'retired',
    insuplc_admdvs: '340100',
    insu_status: 'active',
  },
  // The seed article's patient: insured in Hainan, treated in Sichuan.
  {
    psn_no: 'P46000000000001',
    psn_name: '王芳',
    certno17: '46010019720921002',
    gend: '2',
    brdy: '1972-09-21',
    insutype: '390',
    psn_type: 'in_service',
    insuplc_admdvs: '460000',
    insu_status: 'active',
  },
  // A second 海南 insured person: her stay in 成都 is already settled by the demo (a gap awaiting 海南's
  // review), so 王芳's stay stays free to be run from the counter with the seed story's figures.
  {
    psn_no: 'P46000000000002',
    psn_name: '符海燕',
    certno17: '46010019800315004',
    gend: '2',
    brdy: '1980-03-15',
    insutype: '390',
    psn_type: 'in_service',
    insuplc_admdvs: '460000',
    insu_status: 'active',
  },
  {
    psn_no: 'P32030000000001',
    psn_name: '刘洋',
    certno17: '32030219880115001',
    gend: '1',
    brdy: '1988-01-15',
    insutype: '310',
    psn_type: 'in_service',
    insuplc_admdvs: '320300',
    insu_status: 'active',
  },
  {
    psn_no: 'P44030000000001',
    psn_name: '陈静',
    certno17: '44030419900506002',
    gend: '2',
    brdy: '1990-05-06',
    insutype: '310',
    psn_type: 'in_service',
    insuplc_admdvs: '440300',
    insu_status: 'suspended',
  },
];

/** 人员身份 [U] (invented for the demo; codes as the insured place would issue them): 1101's idetinfo. */
export const demoIdentities: {
  psn_no: string;
  psn_idet_type: string;
  psn_type_lv: string;
  memo: string;
  begntime: string;
  endtime: string | null;
}[] = [
  {
    psn_no: 'P34010000000002',
    psn_idet_type: '2301',
    psn_type_lv: '',
    memo: '城乡最低生活保障对象',
    begntime: '2024-01-01',
    endtime: null,
  },
];

export const demoUsers: {
  username: string;
  display_name: string;
  role: Role;
  prov_admdvs?: string;
  psn_no?: string;
  fixmedins_code?: string;
}[] = [
  { username: 'zhangwei', display_name: '张伟', role: 'citizen', psn_no: 'P34010000000001' },
  { username: 'lixiuying', display_name: '李秀英', role: 'citizen', psn_no: 'P34010000000002' },
  { username: 'wangfang', display_name: '王芳', role: 'citizen', psn_no: 'P46000000000001' },
  { username: 'fuhaiyan', display_name: '符海燕', role: 'citizen', psn_no: 'P46000000000002' },
  { username: 'liuyang', display_name: '刘洋', role: 'citizen', psn_no: 'P32030000000001' },
  { username: 'chenjing', display_name: '陈静', role: 'citizen', psn_no: 'P44030000000001' },
  { username: 'staff-ah', display_name: '安徽省医保中心 经办 周敏', role: 'staff', prov_admdvs: '340000' },
  {
    username: 'super-ah',
    display_name: '安徽省医保中心 科长 吴刚',
    role: 'supervisor',
    prov_admdvs: '340000',
  },
  { username: 'staff-hi', display_name: '海南省医保局 经办 林海', role: 'staff', prov_admdvs: '460000' },
  { username: 'super-hi', display_name: '海南省医保局 科长 符丽', role: 'supervisor', prov_admdvs: '460000' },
  { username: 'staff-js', display_name: '江苏省医保中心 经办 孙悦', role: 'staff', prov_admdvs: '320000' },
  { username: 'coord-ah', display_name: '安徽省 协同 何平', role: 'coordinator', prov_admdvs: '340000' },
  { username: 'coord-hi', display_name: '海南省 协同 邢娜', role: 'coordinator', prov_admdvs: '460000' },
  { username: 'coord-sc', display_name: '四川省 协同 杨帆', role: 'coordinator', prov_admdvs: '510000' },
  {
    username: 'hosp-huaxi',
    display_name: '华西医院 医保办',
    role: 'hospital',
    fixmedins_code: 'H51010000001',
  },
];

/** Completes a 17-digit resident ID with its ISO 7064 MOD 11-2 check character, as real IDs carry. */
export function withCheckDigit(certno17: string): string {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = weights.reduce((acc, w, i) => acc + w * Number(certno17[i]), 0);
  return certno17 + '10X98765432'[sum % 11];
}
