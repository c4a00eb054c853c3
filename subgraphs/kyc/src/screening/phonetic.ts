import { PhoneticRegistry } from 'cmpstr/root';

/**
 * cmpstr's Metaphone, encoding each word afresh. Its public `getIndex` keeps
 * codes in a cache keyed by a 32-bit hash of the word alone, so a word whose
 * hash collides with a cached one would get that word's code; over a list of
 * tens of thousands of tokens that is likely enough to matter. `encode` is
 * the extension point cmpstr documents for subclasses.
 */
class FreshMetaphone extends PhoneticRegistry.get('metaphone') {
  code(word: string): string {
    return this.encode(word);
  }
}

const metaphone = new FreshMetaphone();

/** Metaphone code of a lower-case token ('' for one with no letters). */
export function phoneticCode(token: string): string {
  return metaphone.code(token);
}
