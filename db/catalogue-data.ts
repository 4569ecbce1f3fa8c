// Demo 医保目录 of the places the demo hospitals are in — [U] invented demo data: the codes follow the
// national coding style (西药 X + ATC…, 中成药 Z…, 医疗服务项目 00 + 9-digit item + 4, 医用耗材 C…), the
// names are real kinds of items, the grades, 先行自付 ratios and price limits are made up. Generated
// deterministically (no randomness), so a second seeding writes the same rows.
import type { CatalogueItem } from './entities';

type Lv = '01' | '02' | '03';

/** One item of the national list as the demo's "national" grade has it: [code, name, lv, 先行自付, 限价 yuan]. */
type Base = readonly [code: string, name: string, lv: Lv, selfpay?: string | null, limit?: string | null];

/** 西药 101: X + ATC level 5 + dosage form + serial (shortened from the 23-character national codes). */
const WESTERN: readonly Base[] = [
  ['XA02BCA211A001010101443', '奥美拉唑肠溶胶囊', '01'],
  ['XA02BCA211B002010101443', '注射用奥美拉唑钠', '02', '0.10'],
  ['XA02BCP101B002010104436', '注射用泮托拉唑钠', '02', '0.10'],
  ['XA03FAM110A001010201604', '甲氧氯普胺片', '01'],
  ['XA04AAO064B002010101444', '盐酸昂丹司琼注射液', '02', '0.10'],
  ['XA10ABY001B002010100963', '胰岛素注射液', '01'],
  ['XA10BAE132A001010101627', '盐酸二甲双胍片', '01'],
  ['XA11CCA143A001010100224', '阿法骨化醇软胶囊', '02', '0.10'],
  ['XB01ABD106B002010101556', '低分子量肝素钙注射液', '02', '0.10'],
  ['XB01ACA056A001010101483', '阿司匹林肠溶片', '01'],
  ['XB01ACL026A001010100185', '硫酸氢氯吡格雷片', '02', '0.05'],
  ['XB02AAA149B002010100334', '氨甲环酸注射液', '01'],
  ['XB03ABL031B002010104117', '蔗糖铁注射液', '02', '0.10'],
  ['XB05BAP008B002010101431', '复方氨基酸注射液(18AA)', '02', '0.10'],
  ['XB05BAZ003B002010103127', '脂肪乳注射液(C14-24)', '02', '0.15'],
  ['XB05BBL043B002010100212', '氯化钠注射液', '01'],
  ['XB05BBP123B002010100212', '葡萄糖注射液', '01'],
  ['XB05XAL053B002010100218', '氯化钾注射液', '01'],
  ['XC01CAQ069B002010101475', '盐酸去甲肾上腺素注射液', '01'],
  ['XC03CAF077A001010100146', '呋塞米片', '01'],
  ['XC07ABM093A001010101563', '酒石酸美托洛尔片', '01'],
  ['XC08CAA058A001010101604', '苯磺酸氨氯地平片', '01'],
  ['XC09CAX083A001010101524', '缬沙坦胶囊', '02', '0.05'],
  ['XC10AAA255A001010100743', '阿托伐他汀钙片', '01'],
  ['XC10AAR159A001010101627', '瑞舒伐他汀钙片', '02', '0.05'],
  ['XD08AXD023L001010100431', '聚维酮碘溶液', '01'],
  ['XH02ABD034B002010101443', '地塞米松磷酸钠注射液', '01'],
  ['XH02ABM063B002010103327', '注射用甲泼尼龙琥珀酸钠', '02', '0.10'],
  ['XJ01CAA032B002010101448', '注射用氨苄西林钠', '01'],
  ['XJ01CRP038B002010104443', '注射用哌拉西林钠他唑巴坦钠', '02', '0.10'],
  ['XJ01DBT062B002010101443', '注射用头孢唑林钠', '01'],
  ['XJ01DCT068B002010104443', '注射用头孢呋辛钠', '01'],
  ['XJ01DDT070B002010101443', '注射用头孢曲松钠', '01'],
  ['XJ01DDT090B002010104443', '注射用头孢他啶', '02', '0.10'],
  ['XJ01DHM111B002010101443', '注射用美罗培南', '02', '0.20'],
  ['XJ01FAA038A001010101443', '阿奇霉素片', '01'],
  ['XJ01MAL121B002010101443', '左氧氟沙星氯化钠注射液', '02', '0.10'],
  ['XJ01XAV045B002010101443', '注射用盐酸万古霉素', '02', '0.20'],
  ['XJ02ACF028B002010101443', '氟康唑氯化钠注射液', '02', '0.10'],
  ['XJ05ABA042B002010101443', '注射用阿昔洛韦', '02', '0.10'],
  ['XL01BCG008B002010101443', '注射用盐酸吉西他滨', '02', '0.10'],
  ['XL01CDD095B002010101443', '多西他赛注射液', '02', '0.10'],
  ['XL01CDP025B002010101443', '注射用紫杉醇(白蛋白结合型)', '02', '0.20'],
  ['XL01DBE058B002010101443', '注射用盐酸表柔比星', '02', '0.10'],
  ['XL01XAC094B002010101443', '注射用顺铂', '01'],
  ['XL01XAK082B002010101443', '注射用卡铂', '01'],
  ['XL02BGA133A001010101443', '来曲唑片', '02', '0.10'],
  ['XL03AAR032B002010101443', '聚乙二醇化重组人粒细胞刺激因子注射液', '02', '0.20'],
  ['XM01AEB063A001010101443', '布洛芬缓释胶囊', '01'],
  ['XM01AHP052B002010101443', '注射用帕瑞昔布钠', '02', '0.15'],
  ['XN01AHR063B002010101443', '注射用盐酸瑞芬太尼', '02', '0.10'],
  ['XN01AXB101B002010101443', '丙泊酚乳状注射液', '01'],
  ['XN01BBL019B002010101443', '盐酸利多卡因注射液', '01'],
  ['XN01BBL035B002010101443', '盐酸罗哌卡因注射液', '02', '0.10'],
  ['XN02ABS052B002010101443', '枸橼酸舒芬太尼注射液', '02', '0.10'],
  ['XN02AXT058B002010101443', '盐酸曲马多注射液', '01'],
  ['XN05CDM035B002010101443', '咪达唑仑注射液', '01'],
  ['XR03ACS036L004010101443', '硫酸沙丁胺醇吸入气雾剂', '01'],
  ['XR05CBA077B002010101443', '盐酸氨溴索注射液', '02', '0.10'],
  ['XV03ABN019B002010101443', '新斯的明注射液', '01'],
];

/** 中成药 102: Z + 功效类别 + serial. */
const PATENT: readonly Base[] = [
  ['ZA01AAX0123010104443', '感冒清热颗粒', '01'],
  ['ZA03BAL0256010104443', '连花清瘟胶囊', '01'],
  ['ZA04BAS0183010104443', '双黄连注射液', '02', '0.20'],
  ['ZA06AAJ0147010104443', '金水宝胶囊', '02', '0.10'],
  ['ZA09AAB0332010104443', '补中益气丸', '01'],
  ['ZA12BAD0564010104443', '丹参注射液', '02', '0.10'],
  ['ZA12BAX0732010104443', '血塞通注射液', '02', '0.15'],
  ['ZA12EAQ0411010104443', '复方丹参滴丸', '01'],
  ['ZA12FAY0219010104443', '银杏叶提取物注射液', '02', '0.20'],
  ['ZA14AAS0135010104443', '参麦注射液', '02', '0.15'],
  ['ZA14AAH0098010104443', '黄芪注射液', '02', '0.10'],
  ['ZB01AAY0317010104443', '云南白药胶囊', '01'],
  ['ZB02AAH0278010104443', '活血止痛胶囊', '02', '0.10'],
  ['ZC01AAX0089010104443', '西黄丸', '02', '0.10'],
  ['ZC02AAP0241010104443', '平消胶囊', '02', '0.10'],
  ['ZC03AAK0176010104443', '康艾注射液', '02', '0.20'],
  ['ZC03AAC0043010104443', '参一胶囊', '03'],
  ['ZD01AAL0311010104443', '六味地黄丸', '01'],
  ['ZE01AAX0202010104443', '逍遥丸', '01'],
  ['ZF02AAS0168010104443', '麝香保心丸', '02', '0.05'],
];

/** 医疗服务项目 201: 00 + the 9-digit item of 全国医疗服务价格项目规范 + 4; limits are the place's prices. */
const SERVICES: readonly Base[] = [
  ['001102000010000', '普通门诊诊查费', '01', null, '10.00'],
  ['001103000010000', '住院诊查费', '01', null, '25.00'],
  ['001104000010000', '急诊监护费', '01', null, '80.00'],
  ['001105000010000', '会诊费(院内)', '01', null, '40.00'],
  ['001106000010000', '院际会诊', '02', '0.10', '300.00'],
  ['001107000010000', '普通病房床位费(三人间)', '01', null, '60.00'],
  ['001107000020000', '普通病房床位费(双人间)', '02', '0.20', '90.00'],
  ['001107000030000', '层流洁净病房床位费', '02', '0.20', '200.00'],
  ['001107000040000', '重症监护病房床位费', '01', null, '180.00'],
  ['001201000010000', '一级护理', '01', null, '30.00'],
  ['001201000020000', '二级护理', '01', null, '20.00'],
  ['001201000030000', '三级护理', '01', null, '10.00'],
  ['001201000040000', '特级护理', '01', null, '8.00'],
  ['001202000010000', '重症监护', '01', null, '15.00'],
  ['001203000010000', '静脉输液', '01', null, '12.00'],
  ['001203000020000', '静脉输液(微量泵)', '01', null, '3.00'],
  ['001204000010000', '换药(中换药)', '01', null, '35.00'],
  ['001205000010000', '氧气吸入', '01', null, '2.50'],
  ['001206000010000', '留置导尿', '01', null, '20.00'],
  ['001207000010000', '血糖监测', '01', null, '6.00'],
  ['002201000010000', '血细胞分析(五分类)', '01', null, '25.00'],
  ['002202000010000', '尿液分析', '01', null, '10.00'],
  ['002203000010000', '凝血四项', '01', null, '80.00'],
  ['002501000010000', '肝功能十二项', '01', null, '96.00'],
  ['002502000010000', '肾功能三项', '01', null, '27.00'],
  ['002503000010000', '电解质六项', '01', null, '36.00'],
  ['002504000010000', 'C反应蛋白测定', '01', null, '20.00'],
  ['002505000010000', '降钙素原检测', '02', '0.10', '150.00'],
  ['002506000010000', '肿瘤标志物(CA153)', '02', '0.10', '70.00'],
  ['002507000010000', '癌胚抗原测定(CEA)', '02', '0.10', '45.00'],
  ['002601000010000', '血型鉴定(ABO+RhD)', '01', null, '15.00'],
  ['002701000010000', '病理检查(石蜡切片)', '01', null, '200.00'],
  ['002702000010000', '免疫组化染色(每个标记)', '02', '0.10', '120.00'],
  ['002703000010000', 'HER2基因扩增检测(FISH)', '02', '0.20', '1600.00'],
  ['002704000010000', '冰冻切片检查', '01', null, '260.00'],
  ['002101000010000', 'X线摄影(DR)', '01', null, '70.00'],
  ['002102000010000', 'CT平扫', '01', null, '150.00'],
  ['002103000010000', 'CT增强扫描', '02', '0.10', '420.00'],
  ['002104000010000', 'MRI平扫(1.5T)', '02', '0.10', '480.00'],
  ['002105000010000', 'MRI增强扫描', '02', '0.10', '800.00'],
  ['002106000010000', 'PET-CT全身显像', '03'],
  ['002107000010000', '彩色多普勒超声检查', '01', null, '120.00'],
  ['002108000010000', '乳腺钼靶摄影', '01', null, '160.00'],
  ['002109000010000', '全身骨显像(ECT)', '02', '0.10', '650.00'],
  ['002110000010000', '常规心电图', '01', null, '25.00'],
  ['002111000010000', '动态心电图', '01', null, '180.00'],
  ['003301000010000', '全身麻醉', '01', null, '1200.00'],
  ['003301000020000', '椎管内麻醉', '01', null, '650.00'],
  ['003301000030000', '麻醉中监测', '01', null, '20.00'],
  ['003302000010000', '术后镇痛', '02', '0.20', '220.00'],
  ['003310000010000', '乳腺癌改良根治术', '01', null, '3800.00'],
  ['003310000020000', '乳腺肿物切除术', '01', null, '900.00'],
  ['003310000030000', '前哨淋巴结活检术', '01', null, '1200.00'],
  ['003311000010000', '腹腔镜胆囊切除术', '01', null, '2600.00'],
  ['003311000020000', '阑尾切除术', '01', null, '1100.00'],
  ['003312000010000', '人工全髋关节置换术', '01', null, '4800.00'],
  ['003312000020000', '人工全膝关节置换术', '01', null, '5200.00'],
  ['003313000010000', '经皮冠状动脉支架植入术', '01', null, '3600.00'],
  ['003314000010000', '白内障超声乳化摘除术+人工晶体植入术', '01', null, '2200.00'],
  ['003315000010000', '达芬奇机器人辅助手术(加收)', '03'],
  ['003101000010000', '静脉化疗', '01', null, '40.00'],
  ['003102000010000', '调强放射治疗(IMRT)', '02', '0.10', '1200.00'],
  ['004101000010000', '康复评定', '02', '0.10', '60.00'],
  ['004102000010000', '运动疗法', '02', '0.10', '45.00'],
  ['004103000010000', '针刺', '01', null, '30.00'],
];

/** 医用耗材 301: C + 类别 + serial (shortened from the 27-character national codes). */
const MATERIALS: readonly Base[] = [
  ['C01010101000000000001', '一次性使用输液器', '01', null, '8.00'],
  ['C01010102000000000002', '一次性使用静脉留置针', '01', null, '25.00'],
  ['C01020101000000000003', '中心静脉导管套件', '02', '0.20', '480.00'],
  ['C01020102000000000004', '植入式给药装置(输液港)', '02', '0.30', '5800.00'],
  ['C02010101000000000005', '可吸收缝合线', '02', '0.10', '180.00'],
  ['C02010102000000000006', '皮肤吻合器', '02', '0.20', '650.00'],
  ['C02020101000000000007', '超声刀头', '02', '0.30', '3800.00'],
  ['C02020102000000000008', '一次性使用腹腔镜穿刺器', '02', '0.20', '900.00'],
  ['C02030101000000000009', '负压引流装置', '01', null, '120.00'],
  ['C03010101000000000010', '冠状动脉药物洗脱支架', '02', '0.10', '800.00'],
  ['C03010102000000000011', 'PTCA球囊扩张导管', '02', '0.20', '1500.00'],
  ['C04010101000000000012', '人工髋关节假体', '02', '0.20', '7000.00'],
  ['C04010102000000000013', '人工膝关节假体', '02', '0.20', '5000.00'],
  ['C05010101000000000014', '人工晶体(非球面)', '02', '0.20', '1500.00'],
  ['C06010101000000000015', '医用防粘连膜', '03'],
  ['C06010102000000000016', '止血纱布(可吸收)', '02', '0.30', '400.00'],
  ['C07010101000000000017', '一次性使用气管插管', '01', null, '35.00'],
  ['C07010102000000000018', '喉罩', '02', '0.10', '150.00'],
  ['C08010101000000000019', '一次性使用导尿包', '01', null, '30.00'],
  ['C09010101000000000020', '医用外科口罩', '03'],
];

/** 乳腺癌 items Hainan lists and Sichuan does not (the seed story's catalogue difference) [U]. */
export const HAINAN_CASE_CODES = {
  trastuzumab: 'XL01FDT021B002010101443',
  pertuzumab: 'XL01FDP007B002010101443',
  port: 'C01020102000000000004',
  anti_adhesion: 'C06010101000000000015',
  her2_fish: '002703000010000',
} as const;

/** Targeted drugs: 丙 in the demo's national list, listed (乙) by some places. */
const TARGETED: readonly Base[] = [
  [HAINAN_CASE_CODES.trastuzumab, '注射用曲妥珠单抗', '03'],
  [HAINAN_CASE_CODES.pertuzumab, '帕妥珠单抗注射液', '03'],
  ['XL01FFP024B002010101443', '注射用帕博利珠单抗', '03'],
  ['XL01EBG005A001010101443', '吉非替尼片', '02', '0.30'],
  ['XL01EXA012A001010101443', '甲磺酸奥希替尼片', '02', '0.30'],
];

const LISTS: readonly (readonly [string, readonly Base[]])[] = [
  ['101', [...WESTERN, ...TARGETED]],
  ['102', PATENT],
  ['201', SERVICES],
  ['301', MATERIALS],
];

/** The demo places: treatment places of the demo hospitals, and 海南 as the insured place of the seed story. */
interface Place {
  admvs: string;
  /** Price limits of this place, in thousandths of the demo national price. */
  price_permille: number;
  /** Items this place grades differently from the demo national list. */
  overrides: Readonly<Record<string, { lv: Lv; selfpay?: string }>>;
}

export const CATALOGUE_PLACES: readonly Place[] = [
  // 成都: the targeted drugs, the port and the anti-adhesion film are not covered (丙) — as in the list above.
  { admvs: '510100', price_permille: 1000, overrides: {} },
  {
    admvs: '460000',
    price_permille: 950,
    overrides: {
      [HAINAN_CASE_CODES.trastuzumab]: { lv: '02', selfpay: '0.20' },
      [HAINAN_CASE_CODES.pertuzumab]: { lv: '02', selfpay: '0.20' },
      [HAINAN_CASE_CODES.anti_adhesion]: { lv: '02', selfpay: '0.30' },
      [HAINAN_CASE_CODES.her2_fish]: { lv: '01' },
      '002106000010000': { lv: '02', selfpay: '0.30' }, // PET-CT
    },
  },
  {
    admvs: '310000',
    price_permille: 1150,
    overrides: {
      [HAINAN_CASE_CODES.trastuzumab]: { lv: '02', selfpay: '0.30' },
      '003315000010000': { lv: '02', selfpay: '0.50' }, // 机器人手术加收
    },
  },
  { admvs: '340100', price_permille: 900, overrides: { '002106000010000': { lv: '02', selfpay: '0.40' } } },
  {
    admvs: '110000',
    price_permille: 1100,
    overrides: { XL01FFP024B002010101443: { lv: '02', selfpay: '0.30' } },
  },
];

/** Yuan string with two decimals → fen; the list above is hand-written, so a typo fails loudly. */
function toFen(yuan: string): number {
  const m = /^(\d+)\.(\d{2})$/.exec(yuan);
  if (!m) throw new Error(`catalogue-data: bad price "${yuan}"`);
  return Number(m[1]) * 100 + Number(m[2]);
}

function selfpayOf(code: string, prop: string | null | undefined): string {
  if (!prop) throw new Error(`catalogue-data: 乙 item ${code} has no 先行自付 ratio`);
  return prop;
}

/** Half-up rounding of fen × permille / 1000, in integers. */
function scaled(fen: number, permille: number): number {
  return Math.floor((fen * permille + 500) / 1000);
}

/** The demo catalogue rows of every place (the core's fixture codes are seeded separately). */
export function demoCatalogueRows(): Omit<CatalogueItem, 'id'>[] {
  return CATALOGUE_PLACES.flatMap((place) =>
    LISTS.flatMap(([list_type, items]) =>
      items.map(([code, name, lv0, selfpay0, limit]) => {
        const o = place.overrides[code];
        const lv = o?.lv ?? lv0;
        return {
          admvs: place.admvs,
          med_list_codg: code,
          list_name: name,
          list_type,
          chrgitm_lv: lv,
          selfpay_prop: lv === '02' ? selfpayOf(code, o?.selfpay ?? selfpay0) : null,
          pric_uplmt_amt: limit ? scaled(toFen(limit), place.price_permille) : null,
          begndate: '2024-01-01',
          enddate: null,
          src: '[U] db/catalogue-data.ts (invented demo data)',
        };
      }),
    ),
  );
}

/**
 * How each demo place treats a code missing from its list (classified 丙, 全自费, with a reason) and a
 * line over its price limit (the excess self-paid, 超限价自费) [U].
 */
export function demoCatalogueRules(): {
  admvs: string;
  unlisted: 'self_pay' | 'reject';
  over_limit: 'self_pay' | 'refuse';
}[] {
  return CATALOGUE_PLACES.map((p) => ({ admvs: p.admvs, unlisted: 'self_pay', over_limit: 'self_pay' }));
}

/** Readable names of the settlement core's fixture codes (settlement/fixtures/catalogues.ts). */
export const FIXTURE_NAMES: Readonly<Record<string, string>> = {
  BED001: '普通病房床位费(示例)',
  SUR001: '手术费(示例)',
  DRG001: '乙类药品(示例)',
  DRG002: '靶向药品(示例)',
  MAT001: '植入耗材(示例)',
};
