import {
  addMonths,
  addMonthsToInstant,
  calendarFor,
  casePolicyFor,
  cstDate,
  cstEndOf,
  isWorkingDay,
  workingDayDeadline,
} from '../../cases';

const national = calendarFor('340000');

test('dates are counted in China Standard Time', () => {
  expect(cstDate(Date.parse('2026-03-02T16:30:00Z'))).toBe('2026-03-03');
  expect(cstEndOf('2026-03-03')).toBe(Date.parse('2026-03-04T00:00:00+08:00'));
});

test('adding months clamps to the end of the month', () => {
  expect(addMonths('2026-08-31', 6)).toBe('2027-02-28');
  expect(addMonths('2026-01-15', 12)).toBe('2027-01-15');
  expect(cstDate(addMonthsToInstant(Date.parse('2026-03-10T02:00:00Z'), 6))).toBe('2026-09-10');
});

test('weekends, holidays and 调休 working weekends', () => {
  expect(isWorkingDay('2026-03-07', national)).toBe(false); // Saturday
  expect(isWorkingDay('2026-03-09', national)).toBe(true); // Monday
  expect(isWorkingDay('2026-10-01', national)).toBe(false); // 国庆
  expect(isWorkingDay('2026-10-10', national)).toBe(true); // Saturday made a working day
});

test('a 3-working-day SLA started on a Friday ends on Wednesday night', () => {
  const friday = Date.parse('2026-03-06T10:00:00+08:00');
  expect(workingDayDeadline(friday, 3, national)).toBe(Date.parse('2026-03-12T00:00:00+08:00'));
});

test('an SLA started before 国庆 skips the holiday week and counts the working Saturday', () => {
  const sep30 = Date.parse('2026-09-30T09:00:00+08:00');
  // 10-01..10-07 off; 10-08 (Thu), 10-09 (Fri), 10-10 (Sat, working) → end of 10-10.
  expect(cstDate(workingDayDeadline(sep30, 3, national) - 1)).toBe('2026-10-10');
});

test('per-province parameters override the defaults', () => {
  expect(casePolicyFor('340000').referral_sla_working_days).toBe(3);
  expect(casePolicyFor('320000').referral_validity_months).toBe(12);
  expect(casePolicyFor('350000').referral_validity_months).toBe(3);
});
