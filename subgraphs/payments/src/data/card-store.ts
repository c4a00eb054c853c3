import { returnedRows, toDate, type DataProtection, type Queryable, type Row } from '@meridian/platform';
import type { CardBrand, CardRecord } from '../domain/card';

const COLUMNS = 'id, user_id, brand, last4, exp_month, exp_year, fingerprint, created_at';

function toCard(r: Row): CardRecord {
  return {
    id: r.id as string,
    userId: r.user_id as string,
    brand: r.brand as CardBrand,
    last4: r.last4 as string,
    expMonth: Number(r.exp_month),
    expYear: Number(r.exp_year),
    fingerprint: r.fingerprint as string,
    createdAt: toDate(r.created_at),
  };
}

/** A card to save: what may be kept about it, and the provider's token standing for it. */
export interface NewCard extends Omit<CardRecord, 'createdAt'> {
  /** The provider that issued the token. */
  provider: string;
  token: string;
}

/** The token a saved card is charged with, and the provider that issued it. */
export interface StoredCardToken {
  provider: string;
  token: string;
}

/**
 * Reads and writes `payments.cards`. Only what may be kept about a card is
 * stored (brand, last four digits, expiry, the provider's fingerprint); the
 * provider's token is sealed with a data key of its own, bound to the column,
 * the customer and the card. The number and security code never reach here.
 */
export class CardStore {
  constructor(private readonly protection: DataProtection) {}

  private context(userId: string, id: string): string {
    return `payments.cards.token:${userId}:${id}`;
  }

  private seal(userId: string, id: string, token: string): Buffer {
    return this.protection.envelope.seal(Buffer.from(token, 'utf8'), this.context(userId, id));
  }

  /** The customer's cards, oldest first; removed ones are gone. */
  async list(q: Queryable, userId: string): Promise<CardRecord[]> {
    const rows: Row[] = await q.query(`SELECT ${COLUMNS} FROM payments.cards WHERE user_id = $1 AND deleted_at IS NULL ORDER BY created_at, id`, [userId]);
    return rows.map(toCard);
  }

  /** How many cards the customer keeps. */
  async count(q: Queryable, userId: string): Promise<number> {
    const [row]: Row[] = await q.query(`SELECT count(*)::int AS n FROM payments.cards WHERE user_id = $1 AND deleted_at IS NULL`, [userId]);
    return Number(row.n);
  }

  /** The card the customer keeps with this provider's fingerprint, or null. */
  async byFingerprint(q: Queryable, userId: string, provider: string, fingerprint: string): Promise<CardRecord | null> {
    const [row]: Row[] = await q.query(
      `SELECT ${COLUMNS} FROM payments.cards WHERE user_id = $1 AND provider = $2 AND fingerprint = $3 AND deleted_at IS NULL`,
      [userId, provider, fingerprint],
    );
    return row ? toCard(row) : null;
  }

  /** Saves a card, its token sealed. */
  async insert(q: Queryable, card: NewCard): Promise<CardRecord> {
    const [row]: Row[] = await q.query(
      `INSERT INTO payments.cards (id, user_id, provider, token, brand, last4, exp_month, exp_year, fingerprint)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
      [card.id, card.userId, card.provider, this.seal(card.userId, card.id, card.token), card.brand, card.last4, card.expMonth, card.expYear, card.fingerprint],
    );
    return toCard(row);
  }

  /** Gives a saved card a new token and expiry (the same card number, reissued), keeping its id. */
  async renew(q: Queryable, card: CardRecord, token: string, expiry: { expMonth: number; expYear: number }): Promise<CardRecord> {
    const [row] = returnedRows(
      await q.query(`UPDATE payments.cards SET token = $3, exp_month = $4, exp_year = $5 WHERE id = $1 AND user_id = $2 RETURNING ${COLUMNS}`, [
        card.id,
        card.userId,
        this.seal(card.userId, card.id, token),
        expiry.expMonth,
        expiry.expYear,
      ]),
    );
    return toCard(row);
  }

  /** Removes the customer's card (the row stays for the payments made with it); null when they keep no such card. */
  async delete(q: Queryable, userId: string, id: string): Promise<CardRecord | null> {
    const rows = returnedRows(
      await q.query(`UPDATE payments.cards SET deleted_at = now() WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL RETURNING ${COLUMNS}`, [id, userId]),
    );
    return rows[0] ? toCard(rows[0]) : null;
  }

  /** The token of a card the customer keeps, opened, to charge it; null when they keep no such card. */
  async token(q: Queryable, userId: string, id: string): Promise<StoredCardToken | null> {
    const [row]: Row[] = await q.query(`SELECT provider, token FROM payments.cards WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL`, [id, userId]);
    if (!row) return null;
    return { provider: row.provider as string, token: this.protection.envelope.open(Buffer.from(row.token as Uint8Array), this.context(userId, id)).toString('utf8') };
  }
}
