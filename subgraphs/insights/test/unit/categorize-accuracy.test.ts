import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { categorize, type Categorization } from '../../src/domain/categorize';
import { parseDescriptor } from '../../src/domain/merchants';
import { PRIMARY_CATEGORIES, isDetailedCategory, primaryOf, type DetailedCategory, type PrimaryCategory } from '../../src/domain/taxonomy';

/** One labelled statement line: a raw descriptor as a bank printed it and the category a person would give it. */
interface FixtureRow {
  description: string;
  direction: 'DEBIT' | 'CREDIT';
  /** Minor units, as a string: JSON has no bigint. */
  amount: string;
  mcc?: string;
  kind?: string;
  expected: DetailedCategory;
  /** The bank, network or processor whose format the line follows. */
  style: string;
}

/** Below this share of right primary categories the suite fails. */
const MIN_PRIMARY_ACCURACY = 0.9;

const rows = JSON.parse(readFileSync(join(__dirname, '../fixtures/descriptors.json'), 'utf8')) as FixtureRow[];

interface Scored {
  row: FixtureRow;
  result: Categorization;
  known: boolean;
}

const scored: Scored[] = rows.map((row) => ({
  row,
  result: categorize({ description: row.description, amount: BigInt(row.amount), direction: row.direction, mcc: row.mcc ?? null, kind: row.kind ?? null }),
  known: parseDescriptor(row.description).merchant !== null,
}));

const share = (hits: number, total: number): number => (total === 0 ? 0 : hits / total);
const percent = (value: number): string => `${(value * 100).toFixed(1)}%`.padStart(6);

function accuracy(items: readonly Scored[]): { detailed: number; primary: number } {
  return {
    detailed: share(items.filter((s) => s.result.category === s.row.expected).length, items.length),
    primary: share(items.filter((s) => s.result.primary === primaryOf(s.row.expected)).length, items.length),
  };
}

/** Precision, recall and F1 of one primary category, over primary predictions. */
function primaryScores(primary: PrimaryCategory): { support: number; precision: number; recall: number; f1: number } {
  const truePositives = scored.filter((s) => s.result.primary === primary && primaryOf(s.row.expected) === primary).length;
  const predicted = scored.filter((s) => s.result.primary === primary).length;
  const support = scored.filter((s) => primaryOf(s.row.expected) === primary).length;
  const precision = share(truePositives, predicted);
  const recall = share(truePositives, support);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { support, precision, recall, f1 };
}

describe('categorisation accuracy on the labelled descriptors', () => {
  it('has a fixture big and varied enough to mean something', () => {
    expect(rows.length).toBeGreaterThanOrEqual(300);
    for (const row of rows) {
      expect(isDetailedCategory(row.expected)).toBe(true);
      expect(['DEBIT', 'CREDIT']).toContain(row.direction);
      expect(row.amount).toMatch(/^[1-9]\d*$/);
      if (row.mcc !== undefined) expect(row.mcc).toMatch(/^\d{4}$/);
    }
    expect(new Set(rows.map((r) => r.description)).size).toBe(rows.length);
    const thin = PRIMARY_CATEGORIES.filter((primary) => rows.filter((r) => primaryOf(r.expected) === primary).length < 8);
    expect(thin).toEqual([]);
    // Most lines must name businesses the directory does not know, or the score measures memory.
    expect(scored.filter((s) => !s.known).length / rows.length).toBeGreaterThan(0.4);
  });

  it(`gets at least ${MIN_PRIMARY_ACCURACY * 100}% of primary categories right`, () => {
    const all = accuracy(scored);
    const unknown = accuracy(scored.filter((s) => !s.known));
    const withMcc = accuracy(scored.filter((s) => s.row.mcc !== undefined));
    const perPrimary = PRIMARY_CATEGORIES.map((primary) => ({ primary, ...primaryScores(primary) }));
    const macroF1 = perPrimary.reduce((sum, p) => sum + p.f1, 0) / perPrimary.length;

    const lines = [
      `Categorisation of ${rows.length} labelled descriptors (${scored.filter((s) => !s.known).length} not in the merchant directory)`,
      `  top-1 accuracy           detailed ${percent(all.detailed)}   primary ${percent(all.primary)}`,
      `  merchants not in the dir detailed ${percent(unknown.detailed)}   primary ${percent(unknown.primary)}`,
      `  rows with an MCC         detailed ${percent(withMcc.detailed)}   primary ${percent(withMcc.primary)}`,
      `  macro-F1 over primaries  ${macroF1.toFixed(3)}`,
      '',
      `  ${'primary'.padEnd(26)} ${'rows'.padStart(4)}  ${'prec'.padStart(6)}  ${'recall'.padStart(6)}  ${'F1'.padStart(5)}`,
      ...perPrimary.map(
        (p) => `  ${p.primary.padEnd(26)} ${String(p.support).padStart(4)}  ${percent(p.precision)}  ${percent(p.recall)}  ${p.f1.toFixed(3)}`,
      ),
      '',
      '  wrong primary:',
      ...scored
        .filter((s) => s.result.primary !== primaryOf(s.row.expected))
        .map((s) => `    ${s.row.description.slice(0, 48).padEnd(48)} ${s.row.expected} ← ${s.result.category} (${s.result.source})`),
    ];
    console.log(lines.join('\n'));

    expect(all.primary).toBeGreaterThanOrEqual(MIN_PRIMARY_ACCURACY);
  });
});
