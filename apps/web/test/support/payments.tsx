import { MfaStatusDocument, RequestStepUpCodeDocument, type PaymentPartsFragment, type SavedDestinationsQuery } from '@meridian/client/web';
import { createMemoryHistory, createRootRoute, createRouter, RouterProvider } from '@tanstack/react-router';
import userEvent from '@testing-library/user-event';
import type { ReactElement } from 'react';
import { data, type FakeBff } from './fake-bff';
import { renderWithApp } from './render-with-app';
import { installRouterShims } from './router-shims';

// Fixtures and mounts for the payments screens' tests.

installRouterShims();
// The payments list loads further as its end scrolls into view; jsdom has no IntersectionObserver (and no scrolling).
if (typeof window.IntersectionObserver === 'undefined') {
  Object.assign(window, {
    IntersectionObserver: class {
      observe() {}
      unobserve() {}
      disconnect() {}
      takeRecords() {
        return [];
      }
    },
  });
}

/** A form that links to other screens (a receipt, the payees), mounted under a router of its own at `/`. */
export function renderWithRouter(ui: ReactElement, bff: FakeBff) {
  const root = createRootRoute({ component: () => ui });
  const router = createRouter({ routeTree: root, history: createMemoryHistory({ initialEntries: ['/'] }) });
  renderWithApp(<RouterProvider router={router} />, bff);
  return { events: userEvent.setup() };
}

type Destinations = SavedDestinationsQuery['me'];

export const payee = (id: string, name: string, overrides: Partial<Destinations['payees'][number]> = {}): Destinations['payees'][number] => ({
  id,
  name,
  scheme: 'UK_SORT_CODE',
  maskedAccount: '•••• 5678',
  country: 'GB',
  createdAt: '2026-12-01T09:00:00.000Z',
  ...overrides,
});

export const biller = (id: string, name: string): Destinations['billers'][number] => ({ id, name, billerCode: 'THAMES', maskedReference: '•••• 6789', createdAt: '2026-12-01T09:00:00.000Z' });

export const card = (id: string, last4: string): Destinations['cards'][number] => ({ id, brand: 'VISA', last4, expMonth: 12, expYear: 2031, createdAt: '2026-12-01T09:00:00.000Z' });

/** A payment as the payments operations answer it. */
export function payment(overrides: Partial<PaymentPartsFragment> = {}): PaymentPartsFragment {
  return {
    id: '0190f1c2-6a1b-7c3d-8e4f-000000000001',
    kind: 'P2P',
    status: 'SUCCEEDED',
    amount: { amount: '25.00', currency: 'GBP' },
    refundedAmount: { amount: '0.00', currency: 'GBP' },
    counterparty: { name: 'Ana López' },
    received: false,
    description: '',
    reviewReasons: [],
    failureCode: null,
    failureMessage: null,
    createdAt: '2026-12-07T10:00:00.000Z',
    updatedAt: '2026-12-07T10:00:00.000Z',
    ...overrides,
  };
}

/** A step-up answered by an emailed code: the dialog's code request and `POST /auth/step-up` (right only for 246810). */
export function answerStepUp(bff: FakeBff, steppedUp: { done: boolean }, methods: string[] = ['EMAIL', 'RECOVERY_CODE']) {
  // The user's own second factors: no authenticator app unless a test gives one.
  bff.on(MfaStatusDocument, data({ me: { id: 'user-1', mfa: { totpEnabled: methods.includes('TOTP'), totpEnabledAt: null, recoveryCodesLeft: 10, methods, required: false } } }));
  bff.on(RequestStepUpCodeDocument, data({ requestStepUpCode: { channel: 'EMAIL', sentTo: 'd***@example.com', expiresAt: '2026-12-07T10:05:00.000Z', resendAfter: '2026-12-07T10:00:30.000Z' } }));
  bff.onRoute('POST /auth/step-up', (body) => {
    steppedUp.done = body?.code === '246810';
    return steppedUp.done
      ? { body: { session: {}, amr: ['pwd', 'otp'], authTime: '2026-12-07T10:00:00.000Z' } }
      : { status: 400, body: { errors: [{ message: 'Wrong code', extensions: { code: 'INVALID_CODE', attemptsRemaining: 4 } }] } };
  });
}
