import { createHash } from 'node:crypto';
import { pipeline, Transform } from 'node:stream';
import { errors, isUniqueViolation, mapPostgresError, uploadKey, uuidv7, type AccessTokenClaims, type Logger, type ObjectStore } from '@meridian/platform';
import type { DataSource } from 'typeorm';
import type { CaseStore } from '../data/case-store';
import type { ProfileStore, ProfileRecord } from '../data/profile-store';
import type { Queryable } from '@meridian/platform';
import { EDITABLE_STATES } from '../domain/case-state';
import { nextSteps, statusOf, type KycStatus, type NextStep } from '../domain/next-steps';
import { parseAddress, parseCountry, parseDateOfBirth, parseLegalName, parseTaxId, type Address, type FieldStates, type PersonalData, type ProfileField } from '../domain/profile';
import { profileView, type ProfileView } from '../domain/profile-view';
import { TIER_LIMITS, tierAtLeast, type Tier, type TierLimits } from '../domain/tier';
import type { CaseRecord, DocumentKind, DocumentRecord } from '../domain/verification-case';

/** Everything `User.kyc` shows the customer. */
export interface KycOverview {
  userId: string;
  tier: Tier;
  status: KycStatus;
  limits: TierLimits;
  profile: ProfileView;
  nextSteps: NextStep[];
  currentCase: CaseRecord | null;
}

/** `updateKycProfile`'s input. */
export interface ProfileInput {
  legalName?: string | null;
  dateOfBirth?: string | null;
  nationality?: string | null;
  address?: Address | null;
  taxId?: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An id from the client: NOT_FOUND with `message` when it is not a UUID (it cannot name anything). */
export function idOrNotFound(value: string, message: string): string {
  if (!UUID.test(value)) throw errors.notFound(message);
  return value.toLowerCase();
}

/** A case id from the client. Errors: NOT_FOUND. */
export const caseIdFrom = (value: string): string => idOrNotFound(value, 'Verification case not found.');

/** What a customer-facing case read refuses with, whatever the reason: the case is not theirs to know of. */
const caseNotFound = () => errors.notFound('Verification case not found.');

/**
 * The customer's side of KYC: their overview, starting a verification,
 * personal data, and documents. Every change happens with the customer's
 * profile row locked, so one customer's concurrent requests queue up rather
 * than race (and the unique index on open cases backs that up).
 */
export class VerificationService {
  constructor(
    private readonly db: DataSource,
    private readonly profiles: ProfileStore,
    private readonly cases: CaseStore,
    private readonly objects: ObjectStore,
    private readonly logger: Logger,
  ) {}

  /** The customer's tier, status, profile, next steps and current case. */
  async overview(userId: string): Promise<KycOverview> {
    const profile = await this.profiles.find(this.db, userId);
    const latest = await this.cases.latestCustomerCaseOf(this.db, userId);
    const documents = latest ? await this.cases.documentsOf(this.db, [latest.id]) : [];
    const tier = profile?.tier ?? 'TIER_0';
    const data = profile?.data ?? {};
    const fields = profile?.fields ?? {};
    return {
      userId,
      tier,
      status: statusOf(latest),
      limits: TIER_LIMITS[tier],
      profile: profileView(data, fields, 'CUSTOMER'),
      nextSteps: nextSteps(tier, latest, data, fields, documents),
      currentCase: latest ?? null,
    };
  }

  /** The customer's profile as they see it. */
  async profileOf(userId: string): Promise<ProfileView> {
    const profile = await this.profiles.find(this.db, userId);
    return profileView(profile?.data ?? {}, profile?.fields ?? {}, 'CUSTOMER');
  }

  /**
   * Opens a case for `targetTier`, or answers the one already open for it.
   * Errors: CONFLICT with `reason` ALREADY_AT_TIER, or CASE_OPEN (another tier's case is open).
   */
  async start(user: AccessTokenClaims, targetTier: Tier): Promise<CaseRecord> {
    if (targetTier === 'TIER_0') throw errors.badInput('targetTier must be TIER_1 or TIER_2.', { field: 'targetTier' });
    return this.db.transaction(async (m) => {
      const profile = await this.lockedProfile(m, user.userId);
      if (tierAtLeast(profile.tier, targetTier)) {
        throw errors.conflict(`You are already verified to ${profile.tier}.`, { reason: 'ALREADY_AT_TIER', tier: profile.tier });
      }
      const open = await this.cases.openOf(m, user.userId, { forUpdate: true });
      if (open) {
        if (open.targetTier === targetTier) return open;
        throw errors.conflict(`A verification for ${open.targetTier} is already open; finish it first.`, { reason: 'CASE_OPEN', caseId: open.id });
      }
      return this.cases.insert(m, { userId: user.userId, targetTier, state: 'DRAFT' }, { type: 'CUSTOMER', id: user.userId });
    });
  }

  /**
   * Sets the given personal data while a case is editable; each changed field
   * becomes PROVIDED by the customer until checks verify it again.
   * Errors: BAD_USER_INPUT (per field), CONFLICT (`reason` NO_EDITABLE_CASE).
   */
  async updateProfile(user: AccessTokenClaims, input: ProfileInput): Promise<ProfileView> {
    const parsed: PersonalData = {};
    if (input.legalName != null) parsed.legalName = parseLegalName(input.legalName);
    if (input.dateOfBirth != null) parsed.dateOfBirth = parseDateOfBirth(input.dateOfBirth);
    if (input.nationality != null) parsed.nationality = parseCountry(input.nationality, 'nationality');
    if (input.address != null) parsed.address = parseAddress(input.address);
    if (input.taxId != null) parsed.taxId = parseTaxId(input.taxId);
    if (Object.keys(parsed).length === 0) throw errors.badInput('Give at least one field to update.', { reason: 'EMPTY_UPDATE' });

    return this.db.transaction(async (m) => {
      const profile = await this.lockedProfile(m, user.userId);
      const open = await this.cases.openOf(m, user.userId);
      if (!open || !EDITABLE_STATES.includes(open.state)) {
        throw errors.conflict('Personal data can be changed only while a verification is open for editing; start one first.', {
          reason: 'NO_EDITABLE_CASE',
        });
      }
      const fields: FieldStates = { ...profile.fields };
      const now = new Date().toISOString();
      for (const field of Object.keys(parsed) as ProfileField[]) {
        const unchanged = JSON.stringify(profile.data[field]) === JSON.stringify(parsed[field]);
        if (!unchanged || !fields[field]) fields[field] = { status: 'PROVIDED', source: 'CUSTOMER', updatedAt: now };
      }
      await this.profiles.write(m, user.userId, parsed, fields);
      return profileView({ ...profile.data, ...parsed }, fields, 'CUSTOMER');
    });
  }

  /** A case the viewer may see as a customer: their own. Errors: NOT_FOUND. */
  async ownCase(user: AccessTokenClaims, caseId: string): Promise<CaseRecord> {
    const found = await this.cases.find(this.db, caseIdFrom(caseId));
    if (!found || found.userId !== user.userId || found.kind !== 'CUSTOMER') throw caseNotFound();
    return found;
  }

  /**
   * Attaches an upload to the customer's editable case: the upload (theirs,
   * not expired) is copied under the document's own key and the upload
   * removed. Attaching the same upload to the same case again answers the
   * same document. Errors: NOT_FOUND, BAD_USER_INPUT (`reason` UNSUPPORTED_TYPE),
   * CONFLICT (`reason` CASE_NOT_EDITABLE, UPLOAD_ALREADY_ATTACHED).
   */
  async attachDocument(user: AccessTokenClaims, input: { caseId: string; uploadId: string; kind: DocumentKind }): Promise<DocumentRecord> {
    const caseId = caseIdFrom(input.caseId);
    if (!UUID.test(input.uploadId)) throw errors.notFound('Upload not found; upload the file again.');
    const uploadId = input.uploadId.toLowerCase();

    const already = await this.cases.documentByUpload(this.db, uploadId);
    if (already) return this.sameAttachment(already, user, caseId);
    const target = await this.cases.find(this.db, caseId);
    if (!target || target.userId !== user.userId || target.kind !== 'CUSTOMER') throw caseNotFound();
    this.assertEditable(target);

    const upload = await this.objects.head(uploadKey(uploadId));
    const expiresAt = upload?.labels?.expiresAt ? Date.parse(upload.labels.expiresAt) : Number.NaN;
    if (!upload || upload.ownerId !== user.userId || !(expiresAt > Date.now())) {
      throw errors.notFound('Upload not found; uploads are kept for 24 hours. Upload the file again.');
    }
    if (input.kind === 'SELFIE' && !upload.contentType.startsWith('image/')) {
      throw errors.badInput('A selfie must be a JPEG or PNG photo.', { field: 'kind', reason: 'UNSUPPORTED_TYPE' });
    }

    const id = uuidv7();
    const objectKey = `kyc/documents/${id}`;
    const { size, sha256 } = await this.copy(uploadKey(uploadId), objectKey, { ownerId: user.userId, caseId, kind: input.kind });
    try {
      const document = await this.db.transaction(async (m) => {
        const locked = await this.cases.find(m, caseId, { forUpdate: true });
        if (!locked) throw caseNotFound();
        this.assertEditable(locked);
        return this.cases.insertDocument(m, { id, caseId, userId: user.userId, kind: input.kind, uploadId, objectKey, contentType: upload.contentType, size, sha256 });
      });
      await this.objects.delete(uploadKey(uploadId)).catch((err: unknown) => this.logger.warn({ err, uploadId }, 'attached upload not removed; the sweeper will'));
      return document;
    } catch (err) {
      await this.objects.delete(objectKey).catch(() => false);
      if (isUniqueViolation(err, 'documents_upload_id_key')) {
        // Another request attached this upload first: answer as a repeat would.
        const winner = await this.cases.documentByUpload(this.db, uploadId);
        if (winner) return this.sameAttachment(winner, user, caseId);
      }
      throw mapPostgresError(err) ?? err;
    }
  }

  private sameAttachment(document: DocumentRecord, user: AccessTokenClaims, caseId: string): DocumentRecord {
    if (document.userId !== user.userId) throw errors.notFound('Upload not found; upload the file again.');
    if (document.caseId !== caseId) {
      throw errors.conflict('This upload is already attached to another case.', { reason: 'UPLOAD_ALREADY_ATTACHED', documentId: document.id });
    }
    return document;
  }

  private assertEditable(target: CaseRecord): void {
    if (!EDITABLE_STATES.includes(target.state)) {
      throw errors.conflict(`Documents can be added only while the case is open for editing; it is ${target.state}.`, {
        reason: 'CASE_NOT_EDITABLE',
        state: target.state,
      });
    }
  }

  /** Streams an object to a new key (re-sealed under it), hashing it on the way. */
  private async copy(from: string, to: string, labels: { ownerId: string; caseId: string; kind: string }) {
    const source = await this.objects.get(from);
    if (!source) throw errors.notFound('Upload not found; upload the file again.');
    const hash = createHash('sha256');
    const tee = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    });
    pipeline(source.body, tee, () => undefined);
    const meta = await this.objects.put(to, tee, {
      contentType: source.meta.contentType,
      ownerId: labels.ownerId,
      labels: { caseId: labels.caseId, kind: labels.kind },
    });
    return { size: meta.size, sha256: hash.digest('hex') };
  }

  /** The profile row of the customer, made if missing, locked for the transaction. */
  private async lockedProfile(q: Queryable, userId: string): Promise<ProfileRecord> {
    await this.profiles.ensure(q, userId);
    return (await this.profiles.find(q, userId, { forUpdate: true }))!;
  }
}
