import { Alert, Paper } from '@mantine/core';
import { getRouteApi } from '@tanstack/react-router';
import { useAccounts } from '../accounts/use-accounts';
import { errorMessage } from '../api/error-messages';
import { AnchorLink } from '../layout/router-links';
import { PayForm } from './pay-form';
import { PaymentsPage } from './payments-page';
import { useSavedDestinations } from './use-payment-data';
import { Loading } from '../layout/load-states';

const route = getRouteApi('/signed-in/payments/pay');

/** Paying someone; `?payee=<id>` or `?biller=<id>` starts with that saved payee or biller chosen. */
export function PayScreen() {
  const { payee, biller } = route.useSearch();
  const accounts = useAccounts();
  const saved = useSavedDestinations();
  const active = accounts.data?.me.accounts.filter((a) => a.status === 'ACTIVE') ?? [];
  const error = accounts.error ?? saved.error;
  const defaults = payee ? { kind: 'PAYOUT' as const, payeeId: payee } : biller ? { kind: 'BILL' as const, billerId: biller } : undefined;
  return (
    <PaymentsPage title="Pay someone" intro="Another Meridian customer by their email or phone number, a saved payee's bank account, or a bill.">
      {(accounts.isPending || saved.isPending) && !error && <Loading label="Loading your accounts and payees" />}
      {error && (
        <Alert color="red" role="alert">
          {errorMessage(error)}
        </Alert>
      )}
      {accounts.data && active.length === 0 && (
        <Alert color="blue" role="status">
          You need an open account to pay from. <AnchorLink to="/accounts/open">Open an account</AnchorLink>
        </Alert>
      )}
      {accounts.data && saved.data && active.length > 0 && (
        <Paper withBorder p="lg">
          <PayForm accounts={accounts.data.me.accounts} payees={saved.data.me.payees} billers={saved.data.me.billers} defaults={defaults} />
        </Paper>
      )}
    </PaymentsPage>
  );
}
