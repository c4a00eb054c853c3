import type { KycOverview } from '../../src/kyc/use-kyc';

export const CASE_ID = '0190f1c2-6a1b-7c3d-8e4f-5a6b7c8d9e0f';

const field = (value: string) => ({ value, status: 'PROVIDED' as const, source: 'CUSTOMER' as const, verifiedAt: null });

/** A complete profile as the Kyc query answers it. */
export const fullProfile: KycOverview['profile'] = {
  legalName: field('Kim Newcomer'),
  dateOfBirth: field('1992-09-30'),
  nationality: field('GB'),
  taxId: null,
  phone: null,
  address: { line1: '4 Quay Street', line2: null, city: 'Bristol', postalCode: 'BS1 4DJ', country: 'GB', status: 'PROVIDED', source: 'CUSTOMER', verifiedAt: null },
};

/** The customer's verification as the Kyc query answers it: tier 0, nothing started, unless `overrides` say otherwise. */
export function kycOverview(overrides: Partial<KycOverview> = {}): KycOverview {
  return {
    tier: 'TIER_0',
    status: 'NOT_STARTED',
    nextSteps: ['START_VERIFICATION'],
    limits: { tier: 'TIER_0', singlePayment: '0.00', daily: '0.00', monthly: '0.00', currency: 'GBP' },
    profile: { legalName: null, dateOfBirth: null, nationality: null, taxId: null, phone: null, address: null },
    currentCase: null,
    ...overrides,
  };
}

/** An open tier-2 case with `documents`. */
export function draftCase(documents: NonNullable<KycOverview['currentCase']>['documents'] = []): NonNullable<KycOverview['currentCase']> {
  return {
    id: CASE_ID,
    state: 'DRAFT',
    targetTier: 'TIER_2',
    customerMessage: null,
    createdAt: '2026-12-07T09:00:00.000Z',
    submittedAt: null,
    decidedAt: null,
    documents,
  };
}

/** The Kyc query's answer around `kyc`. */
export const kycAnswer = (kyc: KycOverview) => ({ me: { id: 'user-1', kyc } });
