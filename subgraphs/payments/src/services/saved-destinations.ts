import { DomainError, ErrorCode, errors, hasScope, isUuid, uuidv7, type AccessTokenClaims, type DataProtection, type Queryable } from '@meridian/platform';
import type { DataSource } from 'typeorm';
import { BillerStore } from '../data/biller-store';
import { CardStore } from '../data/card-store';
import { PayeeStore } from '../data/payee-store';
import type { StaffAudit } from '../data/staff-audit';
import { MAX_BILLERS, parseBiller, type BillerInput, type BillerRecord } from '../domain/biller';
import { MAX_CARDS, validateCard, type CardForTokenisation, type CardInput, type CardRecord } from '../domain/card';
import { MAX_PAYEES, parsePayee, type PayeeInput, type PayeeRecord } from '../domain/payee';
import type { CardToken, PaymentProvider } from '../providers';

/** What saved destinations are built from. */
export interface SavedDestinationsDeps {
  db: DataSource;
  protection: DataProtection;
  /** Tokenises cards: the number and security code go there and nowhere else. */
  provider: PaymentProvider;
  audit: StaffAudit;
  /** The clock card expiry is checked against; default the system clock. */
  now?: () => Date;
}

/** Who reads a customer's saved destinations, for the staff audit. */
export interface ReadRequest {
  viewer: AccessTokenClaims;
  requestId: string;
}

type Kind = 'payees' | 'billers' | 'cards';

const LIMITS: Record<Kind, number> = { payees: MAX_PAYEES, billers: MAX_BILLERS, cards: MAX_CARDS };

// The provider's field names for what the customer typed into ours.
const CARD_FIELDS: Record<string, string> = { pan: 'number', expMonth: 'expiry', expYear: 'expiry', cvc: 'cvc' };

/** Staff who looked the customer up (identity's audited `customer(id, reason)`). */
const isStaffReader = (viewer: AccessTokenClaims) => hasScope(viewer, 'customers:read');

/**
 * Where a customer's payments may go besides other customers: payees
 * (external bank accounts), billers and cards. Account numbers, references
 * and card tokens are sealed at rest; card numbers and security codes go only
 * to the provider. A customer reads and changes their own; staff with
 * `customers:read` may read anyone's, each read audited before it is answered.
 */
export class SavedDestinations {
  readonly payeeStore: PayeeStore;
  readonly billerStore: BillerStore;
  readonly cardStore: CardStore;
  private readonly now: () => Date;

  constructor(private readonly deps: SavedDestinationsDeps) {
    this.payeeStore = new PayeeStore(deps.protection);
    this.billerStore = new BillerStore(deps.protection);
    this.cardStore = new CardStore(deps.protection);
    this.now = deps.now ?? (() => new Date());
  }

  /** The customer's payees, oldest first. Errors: FORBIDDEN (not the customer, nor staff with `customers:read`). */
  payees(request: ReadRequest, userId: string): Promise<PayeeRecord[]> {
    return this.read(request, userId, 'User.payees', () => this.payeeStore.list(this.deps.db, userId));
  }

  /**
   * Saves a payee for the viewer.
   * Errors: BAD_USER_INPUT (`name`, `iban`, `bic`, `sortCode`, `accountNumber`; `fields` for both
   * forms of account or neither), CONFLICT (reason TOO_MANY).
   */
  createPayee(viewer: AccessTokenClaims, input: PayeeInput): Promise<PayeeRecord> {
    const payee = parsePayee(input);
    return this.locked('payees', viewer.userId, async (m) => {
      await this.assertRoom(m, 'payees', viewer.userId);
      return this.payeeStore.insert(m, uuidv7(), viewer.userId, payee);
    });
  }

  /** Deletes one of the viewer's payees: it leaves their list and can no longer be paid. Errors: NOT_FOUND. */
  async deletePayee(viewer: AccessTokenClaims, id: string): Promise<PayeeRecord> {
    const deleted = isUuid(id) ? await this.payeeStore.delete(this.deps.db, viewer.userId, id) : null;
    if (!deleted) throw errors.notFound('Payee not found.');
    return deleted;
  }

  /** The customer's billers, oldest first. Errors: FORBIDDEN (not the customer, nor staff with `customers:read`). */
  billers(request: ReadRequest, userId: string): Promise<BillerRecord[]> {
    return this.read(request, userId, 'User.billers', () => this.billerStore.list(this.deps.db, userId));
  }

  /** Saves a biller for the viewer. Errors: BAD_USER_INPUT (`name`, `billerCode`, `reference`), CONFLICT (reason TOO_MANY). */
  createBiller(viewer: AccessTokenClaims, input: BillerInput): Promise<BillerRecord> {
    const biller = parseBiller(input);
    return this.locked('billers', viewer.userId, async (m) => {
      await this.assertRoom(m, 'billers', viewer.userId);
      return this.billerStore.insert(m, uuidv7(), viewer.userId, biller);
    });
  }

  /** Deletes one of the viewer's billers. Errors: NOT_FOUND. */
  async deleteBiller(viewer: AccessTokenClaims, id: string): Promise<BillerRecord> {
    const deleted = isUuid(id) ? await this.billerStore.delete(this.deps.db, viewer.userId, id) : null;
    if (!deleted) throw errors.notFound('Biller not found.');
    return deleted;
  }

  /** The customer's cards, oldest first. Errors: FORBIDDEN (not the customer, nor staff with `customers:read`). */
  cards(request: ReadRequest, userId: string): Promise<CardRecord[]> {
    return this.read(request, userId, 'User.cards', () => this.cardStore.list(this.deps.db, userId));
  }

  /**
   * Checks a card, has the provider tokenise it and saves the token sealed.
   * A card the viewer already keeps (the provider's fingerprint) is answered
   * as the saved one, never twice; added with another expiry (reissued), the
   * saved card takes the new token and expiry.
   * Errors: BAD_USER_INPUT (`number`, `expiry`, `cvc`), CONFLICT (reason TOO_MANY),
   * SERVICE_UNAVAILABLE (the provider).
   */
  async addCard(viewer: AccessTokenClaims, input: CardInput): Promise<CardRecord> {
    const checked = validateCard(input, this.now());
    // Before the transaction: no call leaves this service while one is held.
    const token = await this.tokenize(checked);
    const { userId } = viewer;
    const provider = this.deps.provider.name;
    return this.locked('cards', userId, async (m) => {
      const saved = await this.cardStore.byFingerprint(m, userId, provider, token.fingerprint);
      if (saved) return saved.expMonth === token.expMonth && saved.expYear === token.expYear ? saved : this.cardStore.renew(m, saved, token.token, token);
      await this.assertRoom(m, 'cards', userId);
      return this.cardStore.insert(m, {
        id: uuidv7(),
        userId,
        provider,
        token: token.token,
        brand: checked.card.brand,
        last4: token.last4,
        expMonth: token.expMonth,
        expYear: token.expYear,
        fingerprint: token.fingerprint,
      });
    });
  }

  /** Removes one of the viewer's cards. Errors: NOT_FOUND. */
  async removeCard(viewer: AccessTokenClaims, id: string): Promise<CardRecord> {
    const removed = isUuid(id) ? await this.cardStore.delete(this.deps.db, viewer.userId, id) : null;
    if (!removed) throw errors.notFound('Card not found.');
    return removed;
  }

  /** A customer's list for them, or for staff once the read is audited. Errors: FORBIDDEN. */
  private async read<T>({ viewer, requestId }: ReadRequest, userId: string, operation: string, list: () => Promise<T[]>): Promise<T[]> {
    if (viewer.userId === userId) return list();
    if (!isStaffReader(viewer)) throw errors.forbidden('Only the customer, and staff who looked them up, may see their saved payees, billers and cards.');
    // No customer has an id that is not a UUID: nothing to read, nothing to audit.
    if (!isUuid(userId)) return [];
    await this.deps.audit.record([{ staffUserId: viewer.userId, subjectUserId: userId, operation, requestId }]);
    return list();
  }

  /** Runs `work` in a transaction holding the customer's lock for one kind, so two additions cannot both see room for one. */
  private locked<T>(kind: Kind, userId: string, work: (m: Queryable) => Promise<T>): Promise<T> {
    return this.deps.db.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`payments.${kind}:${userId}`]);
      return work(m);
    });
  }

  /** Errors: CONFLICT (reason TOO_MANY, `limit`) when the customer keeps as many as they may. */
  private async assertRoom(m: Queryable, kind: Kind, userId: string): Promise<void> {
    const store = { payees: this.payeeStore, billers: this.billerStore, cards: this.cardStore }[kind];
    const limit = LIMITS[kind];
    if ((await store.count(m, userId)) >= limit) {
      throw errors.conflict(`You can keep at most ${limit} ${kind}; delete one first.`, { reason: 'TOO_MANY', limit });
    }
  }

  /** The provider's token; its refusals of what passed our checks are told in our field names, never quoting the number. */
  private async tokenize(checked: CardForTokenisation): Promise<CardToken> {
    const { card } = checked;
    try {
      return await this.deps.provider.tokenizeCard({ pan: checked.panForProvider, expMonth: card.expMonth, expYear: card.expYear, cvc: checked.cvcForProvider });
    } catch (err) {
      if (!(err instanceof DomainError) || err.code !== ErrorCode.BAD_USER_INPUT) throw err;
      const field = CARD_FIELDS[String(err.extensions.field)] ?? 'number';
      throw errors.badInput('The card was refused: check its number, expiry date and security code.', { reason: 'CARD_INVALID', field });
    }
  }
}
