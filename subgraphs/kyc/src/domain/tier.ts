/** How far a customer is verified. */
export type Tier = 'TIER_0' | 'TIER_1' | 'TIER_2';

export const TIERS: readonly Tier[] = ['TIER_0', 'TIER_1', 'TIER_2'];

/** Whether `tier` is at least `wanted`. */
export const tierAtLeast = (tier: Tier, wanted: Tier): boolean => TIERS.indexOf(tier) >= TIERS.indexOf(wanted);

/** What a tier allows going out, in GBP minor units (pence). Payments enforces them. */
export interface TierLimits {
  tier: Tier;
  singlePayment: bigint;
  daily: bigint;
  monthly: bigint;
  currency: 'GBP';
}

const pounds = (n: number) => BigInt(n) * 100n;

/**
 * The limits of each tier: registered customers may receive but not send;
 * verified ones (tier 1) send everyday amounts; document-verified ones (tier 2)
 * send what a current account usually allows.
 */
export const TIER_LIMITS: Record<Tier, TierLimits> = {
  TIER_0: { tier: 'TIER_0', singlePayment: 0n, daily: 0n, monthly: 0n, currency: 'GBP' },
  TIER_1: { tier: 'TIER_1', singlePayment: pounds(1_000), daily: pounds(2_500), monthly: pounds(10_000), currency: 'GBP' },
  TIER_2: { tier: 'TIER_2', singlePayment: pounds(25_000), daily: pounds(50_000), monthly: pounds(200_000), currency: 'GBP' },
};

/** Pence as a decimal string, e.g. 250000n → "2500.00". */
export function formatPence(pence: bigint): string {
  const whole = pence / 100n;
  const fraction = (pence % 100n).toString().padStart(2, '0');
  return `${whole}.${fraction}`;
}
