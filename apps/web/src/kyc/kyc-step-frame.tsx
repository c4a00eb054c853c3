import { Alert, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { errorMessage } from '../api/error-messages';
import { AnchorLink } from '../layout/router-links';
import { editableCase, useKyc, type KycCaseSummary, type KycOverview } from './use-kyc';
import { Loading } from '../layout/load-states';

/** Props of {@link KycStepFrame}. */
export interface KycStepFrameProps {
  title: string;
  intro: string;
  /** The step needs an open case to change (profile, documents); without one the screen says how to start. */
  needsOpenCase?: boolean;
  children: (kyc: KycOverview, openCase: KycCaseSummary | undefined) => ReactNode;
}

/** The frame of each verification step: a title, the Kyc query's loading and failure, and the way back to the overview. */
export function KycStepFrame({ title, intro, needsOpenCase = false, children }: KycStepFrameProps) {
  const kyc = useKyc();
  const data = kyc.data?.me.kyc;
  const openCase = editableCase(data);
  return (
    <Stack maw={640}>
      <AnchorLink to="/verification">← Your verification</AnchorLink>
      <Title order={1}>{title}</Title>
      <Text>{intro}</Text>
      {kyc.isPending && <Loading label="Loading your verification" />}
      {kyc.error && (
        <Alert color="red" role="alert">
          {errorMessage(kyc.error)}
        </Alert>
      )}
      {data && needsOpenCase && !openCase ? (
        <Alert color="blue" role="status" title="Nothing to change now">
          {data.status === 'PENDING'
            ? 'Your details are being checked. You can change them again if we ask for something.'
            : 'Start a verification first: it says what we need.'}{' '}
          <AnchorLink to="/verification">Go to your verification</AnchorLink>
        </Alert>
      ) : (
        data && children(data, openCase)
      )}
    </Stack>
  );
}
