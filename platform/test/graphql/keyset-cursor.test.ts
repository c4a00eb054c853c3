import { decodeKeysetCursor, encodeKeysetCursor } from '@meridian/platform';

describe('keyset cursors', () => {
  it('round-trips a time and an id, and refuses anything else with BAD_USER_INPUT naming the field', () => {
    const at = new Date('2026-12-07T08:00:00.123Z');
    const id = '01a24f9d-2333-7112-814a-398de656bd72';
    expect(decodeKeysetCursor(encodeKeysetCursor(at, id))).toEqual({ at, id });
    for (const bad of ['', 'not-base64!', Buffer.from('2026-12-07T08:00:00Z|not-a-uuid').toString('base64url'), Buffer.from(`yesterday|${id}`).toString('base64url')]) {
      expect(() => decodeKeysetCursor(bad, 'before')).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT', extensions: expect.objectContaining({ field: 'before' }) }));
    }
  });
});
