import type { ServiceClient } from '@meridian/platform';
import type { KycTier } from '../domain/limits';

/** A customer found by email or phone. */
export interface Recipient {
  id: string;
  displayName: string;
}

/** Identity's customer lookup: who a peer-to-peer payment is addressed to. */
export class IdentityDirectory {
  constructor(private readonly api: ServiceClient) {}

  /** The customer with this email or phone number, or null. Errors: BAD_USER_INPUT (malformed address). */
  async find(query: { email: string } | { phone: string }): Promise<Recipient | null> {
    try {
      return await this.api.request<Recipient>('POST', '/internal/identity/users/lookup', query);
    } catch (err) {
      if ((err as { code?: string }).code === 'NOT_FOUND') return null;
      throw err;
    }
  }
}

/** KYC's tier API, read when the local projection has not heard of a customer yet. */
export class KycTiers {
  constructor(private readonly api: ServiceClient) {}

  /** The customer's tier as KYC holds it now. */
  async tierOf(userId: string): Promise<{ tier: KycTier; updatedAt: string | null }> {
    return this.api.request('GET', `/internal/kyc/users/${encodeURIComponent(userId)}/tier`);
  }
}
