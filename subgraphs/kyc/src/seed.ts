import type { Actor } from './data/case-store';
import type { FieldStates, PersonalData } from './domain/profile';
import { changeTier } from './services/tier-changes';
import type { KycServer } from './server';
import { CaseStore } from './data/case-store';
import { ProfileStore } from './data/profile-store';

/** The demo customer's personal data: fictional, and clear of the sample sanctions list. */
export const DEMO_KYC_PROFILE: PersonalData = {
  legalName: 'Demo Customer',
  dateOfBirth: '1990-04-12',
  nationality: 'GB',
  address: { line1: '1 Sandbox Street', line2: null, city: 'London', postalCode: 'EC1A 1BB', country: 'GB' },
  taxId: 'QQ123456C',
  phone: '+447700900123',
};

/**
 * Makes the demo customer TIER_2 once: their personal data verified, and an
 * approved tier 2 case whose history says it was seeded. Later starts find
 * the tier and leave everything alone.
 */
export async function seedDemoKyc(server: Pick<KycServer, 'dataSource' | 'protection' | 'sanctions'>, userId: string): Promise<'created' | 'existing'> {
  const profiles = new ProfileStore(server.protection);
  const cases = new CaseStore();
  const screener = await server.sanctions.screener();
  return server.dataSource.transaction(async (m) => {
    await profiles.ensure(m, userId);
    const profile = (await profiles.find(m, userId, { forUpdate: true }))!;
    if (profile.tier === 'TIER_2') return 'existing';
    const now = new Date().toISOString();
    const verified = { status: 'VERIFIED', updatedAt: now, verifiedAt: now } as const;
    const fields: FieldStates = {
      legalName: { ...verified, source: 'PROVIDER' },
      dateOfBirth: { ...verified, source: 'PROVIDER' },
      nationality: { ...verified, source: 'PROVIDER' },
      address: { ...verified, source: 'PROVIDER' },
      taxId: { status: 'PROVIDED', source: 'CUSTOMER', updatedAt: now },
      phone: { ...verified, source: 'PHONE_CODE' },
    };
    await profiles.write(m, userId, DEMO_KYC_PROFILE, fields);
    const screening = server.sanctions.screen(screener, { name: DEMO_KYC_PROFILE.legalName!, dateOfBirth: DEMO_KYC_PROFILE.dateOfBirth, nationality: 'GB' });
    await profiles.writeScreening(m, userId, screening);
    const seed: Actor = { type: 'SYSTEM' };
    let kycCase = await cases.insert(m, { userId, targetTier: 'TIER_2', state: 'DRAFT' }, seed, 'demo data');
    kycCase = await cases.transition(m, kycCase, 'SUBMITTED', seed, 'demo data', { submitted: true });
    kycCase = await cases.transition(m, kycCase, 'PROCESSING', seed, 'demo data', { screening });
    kycCase = await cases.transition(m, kycCase, 'APPROVED', seed, 'demo data: verified when seeded', { decided: true });
    await changeTier(m, profiles, { userId, from: profile.tier, to: 'TIER_2', caseId: kycCase.id, reason: 'APPROVED' });
    return 'created';
  });
}
