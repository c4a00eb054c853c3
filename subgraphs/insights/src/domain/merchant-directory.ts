import directory from './merchant-directory.json';
import { isDetailedCategory, type DetailedCategory } from './taxonomy';

/** A well-known merchant: its stable key, display name and the category of what one buys there. */
export interface MerchantEntry {
  /** Stable identifier, kebab-case (`amazon`, `tfl`); user rules refer to it. */
  readonly key: string;
  readonly name: string;
  /** The category of money paid to the merchant (and of refunds from it). */
  readonly category: DetailedCategory;
  /** The category of money received from the merchant, when that is not a refund (HMRC pays tax refunds). */
  readonly incomeCategory?: DetailedCategory;
  /**
   * How descriptors start once bank and processor noise is gone, in words separated by
   * spaces; matched word by word from the first word, the longest pattern winning, so
   * "TESCO" covers "TESCO STORES 3297" while "TESCO PFS" (a petrol station) beats it.
   */
  readonly patterns: readonly string[];
}

/** A group of `merchant-directory.json`: merchants sharing a category (and an income category), with a note where the choice needs one. */
interface DirectoryGroup {
  category: string;
  incomeCategory?: string;
  note?: string;
  merchants: { key: string; name: string; patterns: string[] }[];
}

/** A category of the data file, checked against the taxonomy when the module loads. */
function detailed(value: string, key: string): DetailedCategory {
  if (!isDetailedCategory(value)) throw new Error(`merchant-directory.json: ${key} has the unknown category ${value}`);
  return value;
}

const groups: readonly DirectoryGroup[] = directory;

/**
 * UK-first, with the large US and European chains a UK customer meets abroad or online
 * (the data is `merchant-directory.json`). A merchant's category is what most of its
 * customers buy there (Asda is groceries even though it sells clothes); a user rule
 * corrects the rest.
 */
export const MERCHANT_DIRECTORY: readonly MerchantEntry[] = groups.flatMap(({ category, incomeCategory, merchants }) =>
  merchants.map(({ key, name, patterns }) => ({
    key,
    name,
    category: detailed(category, key),
    ...(incomeCategory ? { incomeCategory: detailed(incomeCategory, key) } : {}),
    patterns,
  })),
);
