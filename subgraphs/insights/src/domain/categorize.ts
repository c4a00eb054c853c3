import { normalizeForPattern, pickRule, type CategoryRule } from './category-rule';
import { LEGAL_SUFFIXES } from './descriptor-noise';
import { categoryForKeywords } from './keywords';
import { categoryForMcc, type MccCategory } from './mcc';
import { parseDescriptor, type ParsedDescriptor, type PaymentChannel } from './merchants';
import { primaryOf, type DetailedCategory, type PrimaryCategory } from './taxonomy';

export {
  validateCategoryRule,
  MAX_PATTERN_LENGTH,
  MAX_PATTERN_WILDCARDS,
  type CategoryRule,
  type CategoryRuleInput,
  type ValidCategoryRuleInput,
} from './category-rule';

/** A bank or card transaction as enrichment sees it. */
export interface TransactionToCategorize {
  /** The raw descriptor, as the bank or card network printed it. */
  description: string;
  /** Positive, in minor units. */
  amount: bigint;
  /** DEBIT is money out of the customer's account, CREDIT money in. */
  direction: 'DEBIT' | 'CREDIT';
  /** ISO 18245 merchant category code from the card network, when there is one. */
  mcc?: string | null;
  /** What the ledger knows about the transaction: `CARD`, `P2P_PAYMENT`, `TRANSFER`, `SALARY`, `DIRECT_DEBIT`, ... */
  kind?: string | null;
}

/** Which step decided the category. */
export type CategorySource = 'USER_RULE' | 'MERCHANT' | 'MCC' | 'KEYWORD' | 'DEFAULT';

/** The enrichment of one transaction. */
export interface Categorization {
  /** The directory merchant, when the descriptor names one. */
  merchant: { key: string; name: string } | null;
  /** A readable counterparty name for every transaction: the merchant's name or the cleaned descriptor. */
  displayName: string;
  category: DetailedCategory;
  primary: PrimaryCategory;
  source: CategorySource;
  /** The user rule that decided, when `source` is `USER_RULE`. */
  ruleId?: string;
}

/** How the money moved, from the ledger's kind or else from the descriptor. */
type Nature = PaymentChannel | 'P2P' | 'SALARY' | 'CASHBACK' | 'FEE' | 'INTEREST';

/** The ledger's kinds (banking's transfer codes and the common aggregator ones) by nature; others are ignored. */
const NATURE_OF_KIND = new Map<string, Nature>([
  ['CARD', 'CARD'], ['CARD_PAYMENT', 'CARD'], ['POS', 'CARD'],
  ['P2P', 'P2P'], ['P2P_PAYMENT', 'P2P'],
  ['TRANSFER', 'TRANSFER'], ['INCOMING_PAYMENT', 'TRANSFER'], ['FASTER_PAYMENT', 'TRANSFER'], ['BANK_TRANSFER', 'TRANSFER'],
  ['STANDING_ORDER', 'STANDING_ORDER'], ['DIRECT_DEBIT', 'DIRECT_DEBIT'],
  ['ATM', 'ATM'], ['CASH_WITHDRAWAL', 'ATM'], ['DEPOSIT', 'DEPOSIT'], ['CASH_DEPOSIT', 'DEPOSIT'], ['OPENING_BALANCE', 'DEPOSIT'],
  ['CHEQUE', 'CHEQUE'], ['SALARY', 'SALARY'], ['CASHBACK', 'CASHBACK'], ['FEE', 'FEE'], ['INTEREST', 'INTEREST'],
]);

/** The transaction's nature, and whether the ledger said so (`kind`) rather than the descriptor or the MCC. */
function natureOf(
  tx: TransactionToCategorize,
  parsed: ParsedDescriptor,
  mcc: MccCategory | null,
): { nature: Nature | null; fromLedger: boolean } {
  const fromKind = tx.kind ? NATURE_OF_KIND.get(tx.kind.toUpperCase()) : undefined;
  if (fromKind) return { nature: fromKind, fromLedger: true };
  return { nature: parsed.channel ?? (mcc ? 'CARD' : null), fromLedger: false };
}

const PERSON_TITLES = new Set(['MR', 'MRS', 'MS', 'MISS', 'MX', 'DR']);

/** "J SMITH", "MRS A JONES": titles and initials, then one surname ("D JONES PLUMBING" is a business). */
function looksLikePerson(words: readonly string[]): boolean {
  let start = 0;
  while (start < words.length && (words[start]!.length === 1 || PERSON_TITLES.has(words[start]!))) start += 1;
  return start > 0 && words.length - start === 1;
}

/** "…_OTHER_…" categories are what is left of a primary, weaker evidence than a named detail. */
const isCatchAll = (category: DetailedCategory): boolean => category.includes('_OTHER_');

/** "ACME CONSULTING LTD": ends in a legal form. */
const looksLikeCompany = (words: readonly string[]): boolean => LEGAL_SUFFIXES.has(words.at(-1) ?? '');

/**
 * What settles a category before any merchant or code is consulted: pay, pensions,
 * benefits, cash, fees, interest and cashback are what they are whatever the
 * counterparty's name (a salary paid by Tesco is not groceries, cash from a
 * Sainsbury's machine is not either).
 */
function decisiveCategory(
  tx: TransactionToCategorize,
  { nature, fromLedger }: { nature: Nature | null; fromLedger: boolean },
  keyword: DetailedCategory | null,
): { category: DetailedCategory; source: CategorySource } | null {
  const credit = tx.direction === 'CREDIT';
  const byNature = (category: DetailedCategory) => ({ category, source: fromLedger ? ('DEFAULT' as const) : ('KEYWORD' as const) });
  if (credit && nature === 'SALARY') return byNature('INCOME_WAGES');
  // Money in that says it is pay, a pension, interest or a benefit is income, whoever pays it.
  if (credit && keyword !== null && primaryOf(keyword) === 'INCOME') return { category: keyword, source: 'KEYWORD' };
  const fee = keyword?.startsWith('BANK_FEES') ? keyword : null;
  if (nature === 'ATM' && !fee) return byNature(credit ? 'TRANSFER_IN_DEPOSIT' : 'TRANSFER_OUT_WITHDRAWAL');
  if (nature === 'FEE') return byNature(fee ?? 'BANK_FEES_OTHER_BANK_FEES');
  if (nature === 'INTEREST') return byNature(credit ? 'INCOME_INTEREST_EARNED' : 'BANK_FEES_INTEREST_CHARGE');
  if (nature === 'CASHBACK' && credit) return byNature('INCOME_OTHER_INCOME');
  return null;
}

/** The last resort, from how the money moved and who seems to be on the other side. */
function defaultCategory(tx: TransactionToCategorize, nature: Nature | null, words: readonly string[]): DetailedCategory {
  if (tx.direction === 'CREDIT') {
    switch (nature) {
      case 'TRANSFER':
      case 'STANDING_ORDER':
      case 'P2P':
        return looksLikeCompany(words) ? 'INCOME_OTHER_INCOME' : 'TRANSFER_IN_ACCOUNT_TRANSFER';
      case 'DEPOSIT':
      case 'CHEQUE':
        return 'TRANSFER_IN_DEPOSIT';
      case 'CARD':
        return 'GENERAL_MERCHANDISE_OTHER_GENERAL_MERCHANDISE';
      default:
        return looksLikePerson(words) ? 'TRANSFER_IN_ACCOUNT_TRANSFER' : 'TRANSFER_IN_OTHER_TRANSFER_IN';
    }
  }
  switch (nature) {
    case 'TRANSFER':
    case 'STANDING_ORDER':
    case 'P2P':
      return 'TRANSFER_OUT_ACCOUNT_TRANSFER';
    case 'DIRECT_DEBIT':
      return 'GENERAL_SERVICES_OTHER_GENERAL_SERVICES';
    case 'CHEQUE':
      return 'TRANSFER_OUT_OTHER_TRANSFER_OUT';
    default:
      // A line with no channel at all reads like a card network's merchant record ("E PELLICCI").
      return 'GENERAL_MERCHANDISE_OTHER_GENERAL_MERCHANDISE';
  }
}

/**
 * Decides a transaction's category, in this order:
 * 1. the user's own rules (the most specific, then the newest);
 * 2. what settles it whatever the merchant: pay, cash withdrawals, fees, interest, cashback;
 * 3. the merchant directory;
 * 4. the card network's merchant category code, sharpened by a keyword of the same primary
 *    category, or replaced by any keyword when the code is a catch-all;
 * 5. keywords in the descriptor;
 * 6. a default from how the money moved.
 * Pure and synchronous; `rules` are the customer's rules, already validated.
 */
export function categorize(tx: TransactionToCategorize, rules: readonly CategoryRule[] = []): Categorization {
  const parsed = parseDescriptor(tx.description);
  const merchant = parsed.merchant ? { key: parsed.merchant.key, name: parsed.merchant.name } : null;
  const decide = (category: DetailedCategory, source: CategorySource, ruleId?: string): Categorization => ({
    merchant,
    displayName: parsed.name,
    category,
    primary: primaryOf(category),
    source,
    ...(ruleId === undefined ? {} : { ruleId }),
  });

  if (rules.length > 0) {
    const rule = pickRule(rules, {
      texts: [normalizeForPattern(tx.description), normalizeForPattern(parsed.name)],
      merchantKey: merchant?.key ?? null,
      amount: tx.amount,
    });
    if (rule) return decide(rule.category, 'USER_RULE', rule.id);
  }

  const mcc = categoryForMcc(tx.mcc);
  const how = natureOf(tx, parsed, mcc);
  const { nature } = how;
  // A payment to a person is about its reference ("RENT"), not about the payee's surname ("BUTCHER").
  const personal = (nature === 'TRANSFER' || nature === 'STANDING_ORDER' || nature === 'P2P') && looksLikePerson(parsed.words);
  const keyword = categoryForKeywords(personal ? parsed.referenceWords : [...parsed.words, ...parsed.referenceWords], tx.direction);

  const settled = decisiveCategory(tx, how, keyword?.category ?? null);
  if (settled) return decide(settled.category, settled.source);

  if (parsed.merchant) {
    const { category, incomeCategory } = parsed.merchant;
    return decide(tx.direction === 'CREDIT' && incomeCategory ? incomeCategory : category, 'MERCHANT');
  }

  const specific = keyword && !keyword.generic ? keyword.category : null;
  if (mcc) {
    if (specific && mcc.weak) return decide(specific, 'KEYWORD');
    if (specific && !isCatchAll(specific) && primaryOf(specific) === primaryOf(mcc.category)) return decide(specific, 'MCC');
    return decide(mcc.category, 'MCC');
  }
  if (keyword) return decide(keyword.category, 'KEYWORD');
  return decide(defaultCategory(tx, nature, parsed.words), 'DEFAULT');
}
