import { createHash } from 'node:crypto';
import { canonicalJson, checkChainLink, GENESIS_HASH, hashChainLink } from '@meridian/platform';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A chain built with the helpers, as a log would store it. */
function chain(contents: unknown[]): { seq: bigint; prevHash: string; hash: string; content: string }[] {
  let previous = GENESIS_HASH;
  return contents.map((c, i) => {
    const content = canonicalJson(c);
    const link = { seq: BigInt(i + 1), prevHash: previous, hash: hashChainLink(previous, content), content };
    previous = link.hash;
    return link;
  });
}

describe('hash chain helpers', () => {
  it('hash the previous hash, a newline and the canonical content, whatever the key order', () => {
    expect(hashChainLink(GENESIS_HASH, canonicalJson({ b: 2n, a: 'x' }))).toBe(sha256(`${'0'.repeat(64)}\n{"a":"x","b":"2"}`));
    expect(hashChainLink(GENESIS_HASH, canonicalJson({ a: 'x', b: 2n }))).toBe(hashChainLink(GENESIS_HASH, canonicalJson({ b: 2n, a: 'x' })));
  });

  it('accept every link of an intact chain', () => {
    const links = chain([{ n: 1 }, { n: 2 }, { n: 3 }]);
    let previousHash = GENESIS_HASH;
    links.forEach((link, i) => {
      expect(checkChainLink(link, { expectedSeq: BigInt(i + 1), previousHash }, () => hashChainLink(previousHash, link.content))).toBeNull();
      previousHash = link.hash;
    });
  });

  it('name a missing position first, then a wrong link, then changed content', () => {
    const [first, second] = chain([{ n: 1 }, { n: 2 }]);
    const walk = { expectedSeq: 2n, previousHash: first.hash };
    const recompute = jest.fn(() => hashChainLink(first.hash, canonicalJson({ n: 2 })));
    expect(checkChainLink({ ...second, seq: 3n, prevHash: 'x' }, walk, recompute)).toEqual({ kind: 'SEQUENCE', field: 'seq', expected: '2', found: '3' });
    expect(checkChainLink({ ...second, prevHash: GENESIS_HASH }, walk, recompute)).toEqual({
      kind: 'LINK',
      field: 'prev_hash',
      expected: first.hash,
      found: GENESIS_HASH,
    });
    // Content is rehashed only once the position and the link hold.
    expect(recompute).not.toHaveBeenCalled();
    const changed = hashChainLink(first.hash, canonicalJson({ n: 20 }));
    expect(checkChainLink(second, walk, () => changed)).toEqual({ kind: 'HASH', field: 'hash', expected: changed, found: second.hash });
  });
});
