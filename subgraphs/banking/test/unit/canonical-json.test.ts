import { canonicalJson } from '@meridian/platform';
import { chainedJson, chainHash, type ChainedContent } from '../../src/ledger/hash-chain';

// The definition every stored fingerprint and chain hash was made with: sort the
// keys of a normalised copy, then JSON.stringify it. canonicalJson must give the
// same text for every value, or stored hashes would stop verifying.
function reference(value: unknown): string {
  const normalise = (v: unknown): unknown => {
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Date) return v.toISOString();
    if (Array.isArray(v)) return v.map(normalise);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v as Record<string, unknown>)
          .sort()
          .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
          .map((k) => [k, normalise((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(normalise(value)) ?? 'null';
}

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

function value(next: () => number, depth: number): unknown {
  const strings = ['', 'a', 'Zürich', 'quote " and \\ backslash', 'line\nbreak', '\u0000', '😀', '__proto__', 'b', 'A'];
  const pick = Math.floor(next() * (depth > 3 ? 7 : 9));
  switch (pick) {
    case 0:
      return null;
    case 1:
      return undefined;
    case 2:
      return next() < 0.5;
    case 3:
      return [0, -1, 1.5, 1e21, -0, Number.NaN, Number.MAX_SAFE_INTEGER][Math.floor(next() * 7)];
    case 4:
      return BigInt(Math.floor(next() * 1e6)) * (next() < 0.5 ? -1n : 1n) * 10n ** 12n;
    case 5:
      return strings[Math.floor(next() * strings.length)];
    case 6:
      return new Date(Math.floor(next() * 2e12));
    case 7:
      return Array.from({ length: Math.floor(next() * 4) }, () => value(next, depth + 1));
    default: {
      const object: Record<string, unknown> = {};
      for (let i = Math.floor(next() * 5); i > 0; i--) object[strings[Math.floor(next() * strings.length)] + String(Math.floor(next() * 3))] = value(next, depth + 1);
      return object;
    }
  }
}

describe('canonicalJson', () => {
  it('gives exactly the text of the sorted, normalised JSON.stringify for 5,000 random values', () => {
    const next = random(20_261_123);
    for (let i = 0; i < 5_000; i++) {
      const v = value(next, 0);
      expect(canonicalJson(v)).toBe(reference(v));
    }
  });

  it('sorts keys at every depth and writes bigints and dates as strings', () => {
    expect(canonicalJson({ b: 1n, a: { d: new Date(0), c: [2n, undefined] }, e: undefined })).toBe(
      '{"a":{"c":["2",null],"d":"1970-01-01T00:00:00.000Z"},"b":"1"}',
    );
  });

  it('writes a chained transfer exactly as canonicalJson does, for 2,000 random transfers', () => {
    const next = random(7);
    const pick = <T>(xs: T[]) => xs[Math.floor(next() * xs.length)];
    for (let i = 0; i < 2_000; i++) {
      const content: ChainedContent = {
        seq: BigInt(Math.floor(next() * 1e9)),
        id: pick(['0190d4a2-7a1b-7c3d-8e4f-5a6b7c8d9e0f', 'a']),
        code: pick(['TRANSFER', 'FX_CONVERSION']),
        description: pick(['', 'Rent "May"', 'Zürich\n']),
        metadata: value(next, 2) as Record<string, unknown>,
        causedBy: pick([null, 'payment:1', '']),
        phase: pick(['SINGLE', 'PENDING', 'POST_PENDING']),
        pendingId: pick([null, '0190d4a2-7a1b-7c3d-8e4f-5a6b7c8d9e10']),
        createdAt: new Date(Math.floor(next() * 2e12)),
        postings: Array.from({ length: 1 + Math.floor(next() * 4) }, () => ({
          accountId: pick(['0190d4a2-7a1b-7c3d-8e4f-5a6b7c8d9e11', 'x']),
          direction: pick(['DEBIT', 'CREDIT']),
          amount: BigInt(Math.floor(next() * 1e12)),
          currency: pick(['USD', 'JPY']),
          pending: next() < 0.5,
        })),
      };
      if (next() < 0.3) content.amount = next() < 0.5 ? null : BigInt(Math.floor(next() * 1e6));
      expect(chainedJson(content)).toBe(reference(content));
    }
  });

  it('keeps a transfer chain hash as it was defined', () => {
    // Computed with the reference definition; a change here would break every stored chain.
    const content = {
      seq: 7n,
      id: '0190d4a2-7a1b-7c3d-8e4f-5a6b7c8d9e0f',
      code: 'TRANSFER',
      description: 'Rent',
      metadata: { z: 1, a: ['x'] },
      causedBy: null,
      phase: 'SINGLE',
      pendingId: null,
      createdAt: new Date('2026-11-23T12:00:00.000Z'),
      postings: [{ accountId: '0190d4a2-7a1b-7c3d-8e4f-5a6b7c8d9e10', direction: 'DEBIT', amount: 12_500n, currency: 'EUR', pending: false }],
    };
    const { createHash } = jest.requireActual<typeof import('node:crypto')>('node:crypto');
    const expected = createHash('sha256').update('0'.repeat(64)).update('\n').update(reference(content)).digest('hex');
    expect(chainHash('0'.repeat(64), content)).toBe(expected);
  });
});
