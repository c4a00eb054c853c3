import { firstRun, nextRunAfter, parseSchedule, type Schedule, type ScheduleInput } from '../../src/domain/schedule';

const LONDON = 'Europe/London';
const NEW_YORK = 'America/New_York';

/** Up to `n` runs from `now` in UTC ISO form, stopping where the schedule ends. */
function runs(schedule: Schedule, now: Date, n: number): string[] {
  const out: string[] = [];
  let run = firstRun(schedule, now);
  while (run && out.length < n) {
    out.push(run.toISOString());
    run = nextRunAfter(schedule, run);
  }
  return out;
}

const at = (iso: string) => new Date(iso);
const plan = (input: ScheduleInput, now: string, n = 6) => runs(parseSchedule(input, at(now)), at(now), n);
const badInput = (field: string) => expect.objectContaining({ code: 'BAD_USER_INPUT', extensions: expect.objectContaining({ field }) });

describe('ONCE', () => {
  it('runs once at the local date and time, then is done', () => {
    const schedule = parseSchedule({ frequency: 'ONCE', date: '2026-04-01', timeZone: LONDON }, at('2026-03-01T12:00:00Z'));
    expect(schedule).toEqual({ frequency: 'ONCE', date: '2026-04-01', timeOfDay: '09:00', timeZone: LONDON });
    // 09:00 BST.
    expect(firstRun(schedule, at('2026-03-01T12:00:00Z'))).toEqual(at('2026-04-01T08:00:00Z'));
    expect(nextRunAfter(schedule, at('2026-04-01T08:00:00Z'))).toBeNull();
  });

  it('refuses a date or time that has passed in the customer’s zone', () => {
    const now = at('2026-06-15T08:30:00Z'); // 09:30 in London, 04:30 in New York
    expect(() => parseSchedule({ frequency: 'ONCE', date: '2026-06-14', timeZone: LONDON }, now)).toThrow(badInput('date'));
    expect(() => parseSchedule({ frequency: 'ONCE', date: '2026-06-15', timeZone: LONDON }, now)).toThrow(badInput('date'));
    expect(plan({ frequency: 'ONCE', date: '2026-06-15', timeZone: NEW_YORK }, '2026-06-15T08:30:00Z')).toEqual(['2026-06-15T13:00:00.000Z']);
    expect(plan({ frequency: 'ONCE', date: '2026-06-15', timeOfDay: '10:00', timeZone: LONDON }, '2026-06-15T08:30:00Z')).toEqual([
      '2026-06-15T09:00:00.000Z',
    ]);
  });

  it('finds nothing left once its time has passed', () => {
    const schedule = parseSchedule({ frequency: 'ONCE', date: '2026-04-01', timeZone: LONDON }, at('2026-03-01T12:00:00Z'));
    expect(firstRun(schedule, at('2026-04-02T00:00:00Z'))).toBeNull();
  });
});

describe('WEEKLY across daylight saving changes', () => {
  it('keeps 09:00 local in London when the clocks go forward and back', () => {
    expect(plan({ frequency: 'WEEKLY', dayOfWeek: 'MONDAY', timeZone: LONDON }, '2026-03-20T12:00:00Z', 3)).toEqual([
      '2026-03-23T09:00:00.000Z',
      '2026-03-30T08:00:00.000Z',
      '2026-04-06T08:00:00.000Z',
    ]);
    expect(plan({ frequency: 'WEEKLY', dayOfWeek: 'MONDAY', timeZone: LONDON }, '2026-10-17T12:00:00Z', 2)).toEqual([
      '2026-10-19T08:00:00.000Z',
      '2026-10-26T09:00:00.000Z',
    ]);
  });

  it('keeps 09:00 local in New York, whose clocks change on other dates', () => {
    expect(plan({ frequency: 'WEEKLY', dayOfWeek: 'MONDAY', timeZone: NEW_YORK }, '2026-02-27T12:00:00Z', 3)).toEqual([
      '2026-03-02T14:00:00.000Z',
      '2026-03-09T13:00:00.000Z',
      '2026-03-16T13:00:00.000Z',
    ]);
    expect(plan({ frequency: 'WEEKLY', dayOfWeek: 'MONDAY', timeZone: NEW_YORK }, '2026-10-24T12:00:00Z', 2)).toEqual([
      '2026-10-26T13:00:00.000Z',
      '2026-11-02T14:00:00.000Z',
    ]);
  });

  it('moves a time the clocks skip forward by the gap, and takes the first of a time that happens twice', () => {
    // London: 01:30 does not exist on 29 March (it is 02:30 BST) and happens twice on 25 October (BST first).
    expect(plan({ frequency: 'WEEKLY', dayOfWeek: 'SUNDAY', timeOfDay: '01:30', timeZone: LONDON }, '2026-03-21T12:00:00Z', 3)).toEqual([
      '2026-03-22T01:30:00.000Z',
      '2026-03-29T01:30:00.000Z',
      '2026-04-05T00:30:00.000Z',
    ]);
    expect(plan({ frequency: 'WEEKLY', dayOfWeek: 'SUNDAY', timeOfDay: '01:30', timeZone: LONDON }, '2026-10-19T12:00:00Z', 2)).toEqual([
      '2026-10-25T00:30:00.000Z',
      '2026-11-01T01:30:00.000Z',
    ]);
    // New York: 02:30 does not exist on 8 March (03:30 EDT); 01:30 happens twice on 1 November (EDT first).
    expect(plan({ frequency: 'WEEKLY', dayOfWeek: 'SUNDAY', timeOfDay: '02:30', timeZone: NEW_YORK }, '2026-03-02T12:00:00Z', 1)).toEqual([
      '2026-03-08T07:30:00.000Z',
    ]);
    expect(plan({ frequency: 'WEEKLY', dayOfWeek: 'SUNDAY', timeOfDay: '01:30', timeZone: NEW_YORK }, '2026-10-26T12:00:00Z', 1)).toEqual([
      '2026-11-01T05:30:00.000Z',
    ]);
  });

  it('runs today when today’s time is still ahead, else from next week', () => {
    // Monday 15 June 2026: 08:00 and 10:00 BST.
    expect(plan({ frequency: 'WEEKLY', dayOfWeek: 'MONDAY', timeZone: LONDON }, '2026-06-15T07:00:00Z', 1)).toEqual(['2026-06-15T08:00:00.000Z']);
    expect(plan({ frequency: 'WEEKLY', dayOfWeek: 'MONDAY', timeZone: LONDON }, '2026-06-15T09:00:00Z', 1)).toEqual(['2026-06-22T08:00:00.000Z']);
    // At 09:00 exactly it is due now.
    expect(plan({ frequency: 'WEEKLY', dayOfWeek: 'MONDAY', timeZone: LONDON }, '2026-06-15T08:00:00Z', 1)).toEqual(['2026-06-15T08:00:00.000Z']);
  });

  it('skips nothing when the previous run executed a little late', () => {
    const schedule = parseSchedule({ frequency: 'WEEKLY', dayOfWeek: 'MONDAY', timeZone: LONDON }, at('2026-06-14T12:00:00Z'));
    expect(nextRunAfter(schedule, at('2026-06-15T08:05:00Z'))).toEqual(at('2026-06-22T08:00:00Z'));
  });
});

describe('MONTHLY', () => {
  it('runs on the last day of months shorter than its day, without drifting', () => {
    expect(plan({ frequency: 'MONTHLY', dayOfMonth: 31, timeZone: LONDON }, '2026-01-10T12:00:00Z', 5)).toEqual([
      '2026-01-31T09:00:00.000Z',
      '2026-02-28T09:00:00.000Z',
      '2026-03-31T08:00:00.000Z',
      '2026-04-30T08:00:00.000Z',
      '2026-05-31T08:00:00.000Z',
    ]);
  });

  it('runs on 29 February in a leap year', () => {
    expect(plan({ frequency: 'MONTHLY', dayOfMonth: 31, timeZone: LONDON }, '2028-01-10T12:00:00Z', 3)).toEqual([
      '2028-01-31T09:00:00.000Z',
      '2028-02-29T09:00:00.000Z',
      '2028-03-31T08:00:00.000Z',
    ]);
    expect(plan({ frequency: 'MONTHLY', dayOfMonth: 29, timeZone: NEW_YORK }, '2027-02-01T12:00:00Z', 2)).toEqual([
      '2027-02-28T14:00:00.000Z',
      '2027-03-29T13:00:00.000Z',
    ]);
  });

  it('starts next month when this month’s day has passed', () => {
    expect(plan({ frequency: 'MONTHLY', dayOfMonth: 15, timeZone: LONDON }, '2026-01-20T12:00:00Z', 1)).toEqual(['2026-02-15T09:00:00.000Z']);
  });

  it('counts days in the customer’s zone, not in UTC', () => {
    // 09:00 on the 1st in Auckland (UTC+13 in summer) is still the 31st in UTC.
    expect(plan({ frequency: 'MONTHLY', dayOfMonth: 1, timeZone: 'Pacific/Auckland' }, '2026-01-31T12:00:00Z', 2)).toEqual([
      '2026-01-31T20:00:00.000Z',
      '2026-02-28T20:00:00.000Z',
    ]);
  });
});

describe('end of a recurrence', () => {
  it('stops after count runs, counted from the first run', () => {
    // Monday 10:00 BST: today's run has passed, so the three runs start next Monday.
    const now = at('2026-06-15T09:00:00Z');
    const schedule = parseSchedule({ frequency: 'WEEKLY', dayOfWeek: 'MONDAY', count: 3, timeZone: LONDON }, now);
    expect(schedule).toMatchObject({ startDate: '2026-06-22', count: 3, endDate: null });
    expect(runs(schedule, now, 10)).toEqual(['2026-06-22T08:00:00.000Z', '2026-06-29T08:00:00.000Z', '2026-07-06T08:00:00.000Z']);
  });

  it('stops after its end date, which is inclusive', () => {
    expect(plan({ frequency: 'MONTHLY', dayOfMonth: 31, endDate: '2026-03-31', timeZone: LONDON }, '2026-01-10T12:00:00Z', 10)).toEqual([
      '2026-01-31T09:00:00.000Z',
      '2026-02-28T09:00:00.000Z',
      '2026-03-31T08:00:00.000Z',
    ]);
    expect(plan({ frequency: 'MONTHLY', dayOfMonth: 31, endDate: '2026-03-30', count: 12, timeZone: LONDON }, '2026-01-10T12:00:00Z', 10)).toHaveLength(2);
  });

  it('starts on its start date, not before', () => {
    const schedule = parseSchedule({ frequency: 'WEEKLY', dayOfWeek: 'FRIDAY', startDate: '2026-07-01', count: 2, timeZone: LONDON }, at('2026-06-15T12:00:00Z'));
    expect(schedule.frequency === 'WEEKLY' && schedule.startDate).toBe('2026-07-03');
    expect(runs(schedule, at('2026-06-15T12:00:00Z'), 10)).toEqual(['2026-07-03T08:00:00.000Z', '2026-07-10T08:00:00.000Z']);
  });

  it('refuses an end before the first run and a start in the past', () => {
    const now = at('2026-06-15T12:00:00Z');
    expect(() => parseSchedule({ frequency: 'MONTHLY', dayOfMonth: 20, endDate: '2026-06-19', timeZone: LONDON }, now)).toThrow(badInput('endDate'));
    expect(() => parseSchedule({ frequency: 'MONTHLY', dayOfMonth: 20, startDate: '2026-06-14', timeZone: LONDON }, now)).toThrow(badInput('startDate'));
  });
});

describe('schedule input', () => {
  const now = at('2026-06-15T12:00:00Z');

  it('refuses a time zone that is not an IANA name', () => {
    for (const timeZone of ['Mars/Olympus', 'GMT+1', '', 'London', 'BST']) {
      expect(() => parseSchedule({ frequency: 'WEEKLY', dayOfWeek: 'MONDAY', timeZone }, now)).toThrow(badInput('timeZone'));
      expect(() => parseSchedule({ frequency: 'ONCE', date: '2027-01-01', timeZone }, now)).toThrow(badInput('timeZone'));
    }
  });

  it.each(['24:00', '9:00', '09:60', '0900', 'noon'])('refuses the time of day %j', (timeOfDay) => {
    expect(() => parseSchedule({ frequency: 'WEEKLY', dayOfWeek: 'MONDAY', timeOfDay, timeZone: LONDON }, now)).toThrow(badInput('timeOfDay'));
  });

  it.each(['2026-02-30', '2026-2-3', '31/12/2026', '2026-12-31T09:00'])('refuses the date %j', (date) => {
    expect(() => parseSchedule({ frequency: 'ONCE', date, timeZone: LONDON }, now)).toThrow(badInput('date'));
  });

  it.each([0, 32, 1.5, Number.NaN])('refuses day of month %p', (dayOfMonth) => {
    expect(() => parseSchedule({ frequency: 'MONTHLY', dayOfMonth, timeZone: LONDON }, now)).toThrow(badInput('dayOfMonth'));
  });

  it('refuses an unknown day of the week and a count that is not a positive whole number', () => {
    const funday = { frequency: 'WEEKLY', dayOfWeek: 'FUNDAY', timeZone: LONDON } as unknown as ScheduleInput;
    expect(() => parseSchedule(funday, now)).toThrow(badInput('dayOfWeek'));
    for (const count of [0, -1, 1.5]) {
      expect(() => parseSchedule({ frequency: 'WEEKLY', dayOfWeek: 'MONDAY', count, timeZone: LONDON }, now)).toThrow(badInput('count'));
    }
  });
});
