import type { DataProtection } from '@meridian/platform';
import type { Address, FieldStates, PersonalData } from '../domain/profile';
import type { Tier } from '../domain/tier';
import type { StoredScreening } from '../domain/screening-record';
import { toDate, type Queryable, type Row } from '@meridian/platform';

/** A customer's profile as KYC holds it, personal data opened. */
export interface ProfileRecord {
  userId: string;
  tier: Tier;
  data: PersonalData;
  fields: FieldStates;
  screening: StoredScreening | null;
  screenedListVersion: string | null;
  taxIdIndex: string | null;
  /** Ids of list entries an officer found not to be this customer. */
  clearedMatches: string[];
  createdAt: Date;
  updatedAt: Date;
}

/** Sealed columns and the field each holds. */
const SEALED = {
  legal_name: 'legalName',
  date_of_birth: 'dateOfBirth',
  nationality: 'nationality',
  address: 'address',
  tax_id: 'taxId',
  phone: 'phone',
} as const satisfies Record<string, keyof PersonalData>;

type SealedColumn = keyof typeof SEALED;

/** Blind-index purposes: an index made for one purpose never matches another's. */
export const TAX_ID_INDEX = 'kyc.tax_id';

/**
 * Reads and writes `kyc.profiles`, sealing each personal-data column with its
 * own data key. The context bound into each envelope is the column and the
 * user, so a value copied to another column or another customer's row does
 * not open.
 */
export class ProfileStore {
  constructor(private readonly protection: DataProtection) {}

  private context(column: SealedColumn, userId: string) {
    return `kyc.profiles.${column}:${userId}`;
  }

  /** Seals one value for its column; JSON for the address. */
  seal(column: SealedColumn, userId: string, value: string | Address): Buffer {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    return this.protection.envelope.seal(Buffer.from(text, 'utf8'), this.context(column, userId));
  }

  /** Opens a value sealed by {@link seal} for the same column and user. */
  open(column: SealedColumn, userId: string, sealed: unknown): string | undefined {
    if (sealed === null || sealed === undefined) return undefined;
    return this.protection.envelope.open(Buffer.from(sealed as Uint8Array), this.context(column, userId)).toString('utf8');
  }

  /** The blind index of a tax id, for duplicate lookups. */
  taxIdIndex(taxId: string): string {
    return this.protection.blindIndex(taxId, TAX_ID_INDEX);
  }

  /** Makes the profile if the customer has none; a customer starts at TIER_0. */
  async ensure(q: Queryable, userId: string): Promise<void> {
    await q.query(`INSERT INTO kyc.profiles (user_id) VALUES ($1) ON CONFLICT (user_id) DO NOTHING`, [userId]);
  }

  /** The profile, or undefined; `forUpdate` locks the row for the caller's transaction. */
  async find(q: Queryable, userId: string, options: { forUpdate?: boolean } = {}): Promise<ProfileRecord | undefined> {
    const rows: Row[] = await q.query(`SELECT * FROM kyc.profiles WHERE user_id = $1${options.forUpdate ? ' FOR UPDATE' : ''}`, [userId]);
    return rows[0] ? this.toRecord(rows[0]) : undefined;
  }

  /** Opens a profiles row. */
  toRecord(row: Row): ProfileRecord {
    const userId = row.user_id as string;
    const data: PersonalData = {};
    for (const [column, field] of Object.entries(SEALED) as [SealedColumn, keyof PersonalData][]) {
      const value = this.open(column, userId, row[column]);
      if (value === undefined) continue;
      if (field === 'address') data.address = JSON.parse(value) as Address;
      else data[field] = value;
    }
    return {
      userId,
      tier: row.tier as Tier,
      data,
      fields: (row.fields as FieldStates) ?? {},
      screening: (row.screening as StoredScreening | null) ?? null,
      screenedListVersion: (row.screened_list_version as string | null) ?? null,
      taxIdIndex: (row.tax_id_index as string | null) ?? null,
      clearedMatches: (row.cleared_matches as string[]) ?? [],
      createdAt: toDate(row.created_at),
      updatedAt: toDate(row.updated_at),
    };
  }

  /** Writes the given personal data (sealed) and field states; other columns are kept. */
  async write(q: Queryable, userId: string, data: PersonalData, fields: FieldStates): Promise<void> {
    const sets: string[] = [];
    const params: unknown[] = [userId];
    for (const [column, field] of Object.entries(SEALED) as [SealedColumn, keyof PersonalData][]) {
      const value = data[field];
      if (value === undefined) continue;
      params.push(this.seal(column, userId, value));
      sets.push(`${column} = $${params.length}`);
    }
    if (data.taxId !== undefined) {
      params.push(this.taxIdIndex(data.taxId));
      sets.push(`tax_id_index = $${params.length}`);
    }
    params.push(JSON.stringify(fields));
    sets.push(`fields = $${params.length}::jsonb`, 'updated_at = now()');
    await q.query(`UPDATE kyc.profiles SET ${sets.join(', ')} WHERE user_id = $1`, params);
  }

  /** Other customers with the same tax id (by blind index). */
  async othersWithTaxId(q: Queryable, userId: string, taxIdIndex: string): Promise<string[]> {
    const rows: Row[] = await q.query(`SELECT user_id FROM kyc.profiles WHERE tax_id_index = $1 AND user_id <> $2 LIMIT 10`, [taxIdIndex, userId]);
    return rows.map((r) => r.user_id as string);
  }

  /** Records the latest screening of the customer. */
  async writeScreening(q: Queryable, userId: string, screening: StoredScreening): Promise<void> {
    await q.query(`UPDATE kyc.profiles SET screening = $2::jsonb, screened_list_version = $3, updated_at = now() WHERE user_id = $1`, [
      userId,
      JSON.stringify(screening),
      screening.listVersion,
    ]);
  }

  /** Adds list entries an officer cleared for this customer. */
  async addClearedMatches(q: Queryable, userId: string, uids: string[]): Promise<void> {
    if (uids.length === 0) return;
    await q.query(
      `UPDATE kyc.profiles SET cleared_matches = (SELECT jsonb_agg(DISTINCT x) FROM jsonb_array_elements(cleared_matches || $2::jsonb) AS x)
       WHERE user_id = $1`,
      [userId, JSON.stringify(uids)],
    );
  }

  /** Sets the tier. */
  async writeTier(q: Queryable, userId: string, tier: Tier): Promise<void> {
    await q.query(`UPDATE kyc.profiles SET tier = $2, updated_at = now() WHERE user_id = $1`, [userId, tier]);
  }
}
