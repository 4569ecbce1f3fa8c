import { loadCatalogue } from '../../db/catalogue';
import { HAINAN_CASE_CODES } from '../../db/catalogue-data';
import { CatalogueItem } from '../../db/entities';
import type { Orm } from '../../db/orm';
import { seedReferenceData } from '../../db/seed';
import { DEMO_CATALOGUES } from '../../settlement/fixtures/catalogues';
import { migratedOrm } from '../support/db';

let orm: Orm;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ orm, close } = await migratedOrm());
  await seedReferenceData(orm.em.fork());
}, 60_000);
afterAll(() => close());

const TODAY = '2026-12-01';

test('the demo places each have a catalogue of over a hundred items, and a second seeding adds none', async () => {
  const count = () => orm.em.fork().count(CatalogueItem, {});
  const before = await count();
  expect(before).toBeGreaterThanOrEqual(400);
  for (const admvs of ['510100', '460000', '310000', '110000']) {
    const { catalogue, names } = await loadCatalogue(orm.em.fork(), admvs, TODAY);
    expect(catalogue.entries.size).toBeGreaterThan(100);
    expect(new Set([...catalogue.entries.values()].map((e) => e.chrgitm_lv))).toEqual(
      new Set(['01', '02', '03']),
    );
    expect(names.get('001107000010000')).toBe('普通病房床位费(三人间)');
  }
  await seedReferenceData(orm.em.fork());
  expect(await count()).toBe(before);
});

test('codes follow the national style: 西药 X…, 中成药 Z…, services 00 + 13 digits, materials C…', async () => {
  const rows = await orm.em.fork().find(CatalogueItem, { src: { $like: '%catalogue-data%' } });
  const pattern: Record<string, RegExp> = {
    '101': /^101 X[A-Z][0-9]{2}[A-Z]{2}[A-Z0-9]+$/,
    '102': /^102 Z[A-Z][0-9]{2}[A-Z]{2}[A-Z0-9]+$/,
    '201': /^201 00[0-9]{13}$/,
    '301': /^301 C[0-9]{20}$/,
  };
  for (const r of rows) expect(`${r.list_type} ${r.med_list_codg}`).toMatch(pattern[r.list_type] ?? /^$/);
  expect(new Set(rows.map((r) => r.list_type))).toEqual(new Set(['101', '102', '201', '301']));
  // 乙 items carry a 先行自付 ratio, the others none.
  for (const r of rows) expect(r.selfpay_prop === null).toBe(r.chrgitm_lv !== '02');
});

test("the settlement core's fixture codes keep their grades, ratios and limits", async () => {
  for (const doc of DEMO_CATALOGUES) {
    const { catalogue } = await loadCatalogue(orm.em.fork(), doc.admvs, TODAY);
    for (const e of doc.entries) {
      const got = catalogue.entries.get(e.med_list_codg);
      expect({ code: e.med_list_codg, lv: got?.chrgitm_lv, limit: got?.pric_uplmt_amt ?? null }).toEqual({
        code: e.med_list_codg,
        lv: e.chrgitm_lv,
        limit: e.pric_uplmt_amt ? Math.round(Number(e.pric_uplmt_amt) * 100) : null,
      });
    }
  }
});

test('the seed story: Hainan lists the breast-cancer targeted drugs that Chengdu does not', async () => {
  const chengdu = (await loadCatalogue(orm.em.fork(), '510100', TODAY)).catalogue;
  const hainan = (await loadCatalogue(orm.em.fork(), '460000', TODAY)).catalogue;
  for (const code of [HAINAN_CASE_CODES.trastuzumab, HAINAN_CASE_CODES.pertuzumab]) {
    expect(chengdu.entries.get(code)?.chrgitm_lv).toBe('03');
    expect(hainan.entries.get(code)?.chrgitm_lv).toBe('02');
  }
  // Hainan's price limits are its own: 95% of Chengdu's for the three-bed ward day.
  expect(chengdu.entries.get('001107000010000')?.pric_uplmt_amt).toBe(6000);
  expect(hainan.entries.get('001107000010000')?.pric_uplmt_amt).toBe(5700);
});

test('with codes, only those entries in force (a code twice read once, an unknown one absent); the rule comes with them', async () => {
  const whole = await loadCatalogue(orm.em.fork(), '510100', TODAY);
  const some = await loadCatalogue(orm.em.fork(), '510100', TODAY, [
    '001107000010000',
    'NOT-IN-CATALOGUE',
    '001107000010000',
  ]);
  expect([...some.catalogue.entries.keys()]).toEqual(['001107000010000']);
  expect(some.catalogue.entries.get('001107000010000')).toEqual(
    whole.catalogue.entries.get('001107000010000'),
  );
  expect(some.catalogue.unlisted).toBe(whole.catalogue.unlisted);
  expect(some.over_limit).toBe(whole.over_limit);
  const none = await loadCatalogue(orm.em.fork(), '510100', TODAY, []);
  expect(none.catalogue.entries.size).toBe(0);
  expect(none.catalogue.unlisted).toBe(whole.catalogue.unlisted);
  // The price limits keep their fen (bigint column) and the 乙 items their ratio.
  const limited = DEMO_CATALOGUES.flatMap((c) => c.entries.filter((e) => e.pric_uplmt_amt !== undefined));
  const code = limited[0]!.med_list_codg;
  const place = DEMO_CATALOGUES.find((c) => c.entries.some((e) => e.med_list_codg === code))!.admvs;
  const one = await loadCatalogue(orm.em.fork(), place, TODAY, [code]);
  expect(one.catalogue.entries.get(code)).toEqual(
    (await loadCatalogue(orm.em.fork(), place, TODAY)).catalogue.entries.get(code),
  );
  expect(one.catalogue.entries.get(code)!.pric_uplmt_amt).toBeDefined();
});

test('a place with no catalogue and no rule: nothing listed, unlisted codes 全自费, over-limit self-pay', async () => {
  const empty = await loadCatalogue(orm.em.fork(), '999999', TODAY, ['001107000010000']);
  expect(empty.catalogue.entries.size).toBe(0);
  expect(empty.catalogue.unlisted).toBe('self_pay');
  expect(empty.over_limit).toBe('self_pay');
});
