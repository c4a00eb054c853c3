import { errors } from '@meridian/platform';
import { isDetailedCategory, type DetailedCategory } from './taxonomy';
import { MERCHANT_DIRECTORY } from './merchant-directory';

/** Longest description pattern a user may save. */
export const MAX_PATTERN_LENGTH = 100;
/** Most `*` wildcards in one pattern. */
export const MAX_PATTERN_WILDCARDS = 4;

/**
 * A user's own rule: "payments like this are in that category". Every condition present
 * must hold; at least one must be present.
 */
export interface CategoryRule {
  id: string;
  /** A directory merchant's key (`amazon`). */
  merchantKey?: string | null;
  /**
   * Case-insensitive text where `*` stands for any run of characters, found anywhere in
   * the raw descriptor or in its clean name ("netflix", "j smith*rent"). It is never
   * compiled as a regular expression.
   */
  pattern?: string | null;
  /** Inclusive bounds on the amount, in minor units. */
  minAmount?: bigint | null;
  maxAmount?: bigint | null;
  category: DetailedCategory;
  /** When the rule was made: among equally specific rules the newest wins. */
  createdAt: Date;
}

/** The user-supplied part of a rule, before validation. */
export interface CategoryRuleInput {
  merchantKey?: string | null;
  pattern?: string | null;
  minAmount?: bigint | null;
  maxAmount?: bigint | null;
  category: string;
}

/** A rule input that passed `validateCategoryRule`. */
export type ValidCategoryRuleInput = Omit<CategoryRuleInput, 'category'> & { category: DetailedCategory };

const merchantKeys = new Set(MERCHANT_DIRECTORY.map((m) => m.key));

/** Lower case with runs of white space as one space, the form both patterns and texts are compared in. */
export function normalizeForPattern(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}

/**
 * Checks and normalises a rule (pattern trimmed, white space collapsed).
 * It can throw BAD_USER_INPUT (`errors.badInput`) with `field` set to the offending
 * input: `merchantKey`, `pattern`, `minAmount`, `maxAmount` or `category`.
 */
export function validateCategoryRule(input: CategoryRuleInput): ValidCategoryRuleInput {
  if (!isDetailedCategory(input.category)) {
    throw errors.badInput(`Unknown category "${String(input.category).slice(0, 80)}".`, { field: 'category' });
  }
  const merchantKey = input.merchantKey ?? null;
  if (merchantKey !== null && !merchantKeys.has(merchantKey)) {
    throw errors.badInput('Unknown merchant.', { field: 'merchantKey' });
  }

  let pattern: string | null = null;
  if (input.pattern !== undefined && input.pattern !== null) {
    pattern = normalizeForPattern(input.pattern);
    if (pattern.length === 0 || pattern.length > MAX_PATTERN_LENGTH) {
      throw errors.badInput(`A pattern is 1 to ${MAX_PATTERN_LENGTH} characters long.`, { field: 'pattern' });
    }
    if (/[\u0000-\u001f\u007f]/.test(pattern)) {
      throw errors.badInput('A pattern cannot contain control characters.', { field: 'pattern' });
    }
    if ([...pattern].filter((c) => c === '*').length > MAX_PATTERN_WILDCARDS) {
      throw errors.badInput(`A pattern can have at most ${MAX_PATTERN_WILDCARDS} wildcards (*).`, { field: 'pattern' });
    }
    if (pattern.replace(/[*\s]/g, '').length === 0) {
      throw errors.badInput('A pattern needs some text besides wildcards.', { field: 'pattern' });
    }
  }

  const minAmount = input.minAmount ?? null;
  const maxAmount = input.maxAmount ?? null;
  if (minAmount !== null && minAmount < 0n) throw errors.badInput('The minimum amount cannot be negative.', { field: 'minAmount' });
  if (maxAmount !== null && maxAmount < 0n) throw errors.badInput('The maximum amount cannot be negative.', { field: 'maxAmount' });
  if (minAmount !== null && maxAmount !== null && minAmount > maxAmount) {
    throw errors.badInput('The minimum amount cannot be more than the maximum.', { field: 'minAmount' });
  }
  if (merchantKey === null && pattern === null && minAmount === null && maxAmount === null) {
    throw errors.badInput('A rule needs a merchant, a description pattern or an amount range.', { field: 'pattern' });
  }
  return { merchantKey, pattern, minAmount, maxAmount, category: input.category };
}

/**
 * True when a normalised text contains the pattern, `*` matching any run of characters.
 * Each literal piece is found with `indexOf` after the previous one, which is linear in
 * practice and cannot backtrack: a pattern like `(a+)+$` is just those six characters.
 */
export function matchesPattern(pattern: string, text: string): boolean {
  let from = 0;
  for (const piece of normalizeForPattern(pattern).split('*')) {
    if (piece.length === 0) continue;
    const at = text.indexOf(piece, from);
    if (at === -1) return false;
    from = at + piece.length;
  }
  return true;
}

/** What a rule is checked against. */
export interface RuleSubject {
  /** Raw descriptor and clean name, each normalised with `normalizeForPattern`. */
  texts: readonly string[];
  merchantKey: string | null;
  amount: bigint;
}

/** True when every condition of the rule holds for the subject. */
export function ruleMatches(rule: CategoryRule, subject: RuleSubject): boolean {
  if (rule.merchantKey != null && rule.merchantKey !== subject.merchantKey) return false;
  if (rule.minAmount != null && subject.amount < rule.minAmount) return false;
  if (rule.maxAmount != null && subject.amount > rule.maxAmount) return false;
  if (rule.pattern != null && !subject.texts.some((text) => matchesPattern(rule.pattern!, text))) return false;
  return true;
}

/** How many conditions a rule sets: a merchant, a pattern, an amount range (either bound). */
export function specificity(rule: CategoryRule): number {
  return (
    (rule.merchantKey != null ? 1 : 0) +
    (rule.pattern != null ? 1 : 0) +
    (rule.minAmount != null || rule.maxAmount != null ? 1 : 0)
  );
}

/** The rule that decides among the matching ones: the most specific, then the newest, then the greatest id. */
export function pickRule(rules: readonly CategoryRule[], subject: RuleSubject): CategoryRule | null {
  let best: CategoryRule | null = null;
  let bestSpecificity = -1;
  for (const rule of rules) {
    const score = specificity(rule);
    if (best && score < bestSpecificity) continue;
    if (best && score === bestSpecificity) {
      const age = rule.createdAt.getTime() - best.createdAt.getTime();
      if (age < 0 || (age === 0 && rule.id <= best.id)) continue;
    }
    if (!ruleMatches(rule, subject)) continue;
    best = rule;
    bestSpecificity = score;
  }
  return best;
}
