import { cnDate, cnDatesIn } from '../../api/problem';
import { hasControl, hasLoneSurrogate, isCalendarDate } from '../../api/schemas/primitives';

test('a calendar date must exist', () => {
  for (const day of ['2026-02-28', '2028-02-29', '2026-12-31', '1900-01-01'])
    expect(isCalendarDate(day)).toBe(true);
  for (const day of [
    '2026-02-29',
    '2026-02-31',
    '2026-13-01',
    '0000-00-00',
    '2026-04-31',
    '2026-1-1',
    '1899-12-31',
  ])
    expect(isCalendarDate(day)).toBe(false);
});

test('text: NUL and other controls and lone surrogates are found; a paired emoji and line breaks are text', () => {
  expect(hasControl('a\u0000b')).toBe(true);
  expect(hasControl('a\u007fb')).toBe(true);
  expect(hasControl('第一行\n第二行')).toBe(true);
  expect(hasControl('第一行\n第二行\t', true)).toBe(false);
  expect(hasLoneSurrogate('\ud800')).toBe(true);
  expect(hasLoneSurrogate('x\udc00')).toBe(true);
  expect(hasLoneSurrogate('\udc00\ud800')).toBe(true);
  expect(hasLoneSurrogate('病历 💊')).toBe(false);
});

test('dates in problems read YYYY年M月D日 in Asia/Shanghai', () => {
  expect(cnDate('2027-06-01')).toBe('2027年6月1日');
  // 20:21 UTC is already the next day in Shanghai.
  expect(cnDate('2027-06-01T20:21:33.493Z')).toBe('2027年6月2日');
  expect(cnDate(new Date('2026-12-31T15:59:59Z'))).toBe('2026年12月31日');
  expect(cnDatesIn('长期备案在 2027-06-01T20:21:33.493Z 之前不能变更或取消')).toBe(
    '长期备案在 2027年6月2日 之前不能变更或取消',
  );
});
