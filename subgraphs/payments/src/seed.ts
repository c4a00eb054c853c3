import type { PaymentsServer } from './server';

/** The demo user's friend, a second customer the demo user pays. */
export const DEMO_FRIEND = {
  email: 'ana@meridian.bank',
  password: 'Sandbox-Password-2026',
  displayName: 'Ana López',
  phone: '+447700900456',
};

/** What the demo payments seed needs from the other services, as the starter found or made them. */
export interface DemoPaymentParties {
  payerId: string;
  /** The payer's GBP account. */
  payerAccountId: string;
  /** The friend's email; the friend holds a GBP account. */
  friendEmail: string;
}

/**
 * The demo user's payment history: two payments to the friend, sent through
 * the payment service as the app would (created, confirmed), each under a
 * fixed idempotency key, so a second start finds them instead of paying again.
 */
export async function seedDemoPayments(server: Pick<PaymentsServer, 'payments'>, parties: DemoPaymentParties): Promise<number> {
  const viewer = { userId: parties.payerId, sessionId: 'seed', roles: ['CUSTOMER' as const], scopes: ['payments'], tokenId: 'seed', expiresAt: new Date(Date.now() + 60_000), amr: ['pwd'], authTime: new Date() };
  const demo = [
    { key: 'demo-seed-dinner', amount: '42.50', description: 'Dinner at Dishoom' },
    { key: 'demo-seed-tickets', amount: '18.00', description: 'Concert tickets' },
  ];
  let paid = 0;
  for (const p of demo) {
    const created = await server.payments.createP2P(
      { viewer, idempotencyKey: `${p.key}-create`, requestId: 'seed' },
      { accountId: parties.payerAccountId, amount: p.amount, currency: 'GBP', recipient: { email: parties.friendEmail }, description: p.description },
    );
    // A later start finds the payment made (its id comes from the key) and leaves it as it is.
    const done = created.status === 'REQUIRES_CONFIRMATION' ? await server.payments.confirm({ viewer, idempotencyKey: `${p.key}-confirm`, requestId: 'seed' }, created.id) : created;
    if (done.status === 'SUCCEEDED') paid += 1;
  }
  return paid;
}
