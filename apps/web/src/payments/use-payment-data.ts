import {
  AccountsDocument,
  AccountTransactionsDocument,
  PaymentDocument,
  PaymentLimitsDocument,
  PaymentsDocument,
  SavedDestinationsDocument,
  ScheduledPaymentsDocument,
  type CurrencyCode,
  type SavedDestinationsQuery,
} from '@meridian/client/web';
import type { QueryClient } from '@tanstack/react-query';
import { meridianQueryKey, useMeridianQuery, type MeridianDocument } from '../api/use-meridian';

export type SavedPayee = SavedDestinationsQuery['me']['payees'][number];
export type SavedBiller = SavedDestinationsQuery['me']['billers'][number];
export type SavedCard = SavedDestinationsQuery['me']['cards'][number];

/** The user's saved payees, billers and cards (one cache entry for every payments screen). */
export function useSavedDestinations() {
  return useMeridianQuery(SavedDestinationsDocument, {});
}

/** What the user may still pay in `currency`; waits while there is no currency. */
export function usePaymentLimits(currency: CurrencyCode | undefined) {
  return useMeridianQuery(PaymentLimitsDocument, { currency: currency ?? 'GBP' }, { enabled: currency !== undefined, staleTime: 0 });
}

/** After money moved (or a payment changed): balances, histories, payments, limits and schedules are read again. */
export async function refreshAfterPayment(queryClient: QueryClient): Promise<void> {
  await Promise.all(
    [AccountsDocument, AccountTransactionsDocument, PaymentsDocument, PaymentDocument, PaymentLimitsDocument, ScheduledPaymentsDocument].map((document) =>
      queryClient.invalidateQueries({ queryKey: meridianQueryKey(document as MeridianDocument<unknown, never>) }),
    ),
  );
}
