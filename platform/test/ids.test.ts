import { isUuid, uuidv7 } from '@meridian/platform';

describe('uuidv7', () => {
  it('makes version-7 UUIDs that sort by the time they were made', async () => {
    const first = uuidv7();
    await new Promise((resolve) => setTimeout(resolve, 3));
    const ids = [uuidv7(), uuidv7(), uuidv7()];
    for (const id of [first, ...ids]) {
      expect(isUuid(id)).toBe(true);
      expect(id[14]).toBe('7');
      expect(['8', '9', 'a', 'b']).toContain(id[19]);
    }
    expect(first < ids[0]).toBe(true);
    expect(new Set(ids).size).toBe(3);
  });
});
