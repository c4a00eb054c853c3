import { maskRecipient } from '@meridian/platform';

describe('maskRecipient', () => {
  it.each([
    ['+447700900123', '+44*******123'],
    ['+15550100', '+15***100'],
    ['jane.doe@example.com', 'j***@example.com'],
    ['j@example.com', 'j***@example.com'],
    ['@example.com', '***@example.com'],
    ['+1234', '*****'],
  ])('masks %s as %s', (to, masked) => {
    expect(maskRecipient(to)).toBe(masked);
  });

  it('hides the length of an email local part', () => {
    expect(maskRecipient('abcdefghij@x.io')).toBe('a***@x.io');
    expect(maskRecipient('a@x.io')).toBe(maskRecipient('abcdefghij@x.io'));
  });
});
