import { parseTimeZone } from '../../src/domain/time-zone';

describe('parseTimeZone', () => {
  it('accepts IANA names, links included, trimmed', () => {
    expect(parseTimeZone('Europe/London')).toBe('Europe/London');
    expect(parseTimeZone(' America/New_York ')).toBe('America/New_York');
    expect(parseTimeZone('Asia/Kolkata')).toBe('Asia/Kolkata');
    expect(parseTimeZone('UTC')).toBe('UTC');
    expect(parseTimeZone('Etc/UTC')).toBe('Etc/UTC');
  });

  it.each(['', 'Europe/Atlantis', 'GMT+1', 'London', 'BST', 'IST', 'EST', 'GMT'])('refuses %j as BAD_USER_INPUT on the field named', (zone) => {
    expect(() => parseTimeZone(zone)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT', extensions: { code: 'BAD_USER_INPUT', field: 'timeZone' } }));
    expect(() => parseTimeZone(zone, 'zone')).toThrow(expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field: 'zone' } }));
  });
});
