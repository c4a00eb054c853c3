import { Modal, Text } from '@mantine/core';
import type { StepUpChallenge } from '@meridian/client';
import { MfaStatusDocument, RequestStepUpCodeDocument } from '@meridian/client/web';
import { createContext, useCallback, useContext, useRef, useState, type ReactNode } from 'react';
import { useApi } from '../api/api-context';
import { useMeridianQuery } from '../api/use-meridian';
import { Loading } from '../layout/load-states';
import { SecondFactorForm } from './second-factor-form';

/** Asks the person for a second factor; resolves true once the session is stepped up, false if they cancel. */
export type RequestStepUp = (challenge: StepUpChallenge) => Promise<boolean>;

const StepUpContext = createContext<RequestStepUp | null>(null);

/** The step-up function of the nearest {@link StepUpProvider}, or null outside one. */
export function useStepUp(): RequestStepUp | null {
  return useContext(StepUpContext);
}

/**
 * The step-up dialog: when an operation answers STEP_UP_REQUIRED, it asks for
 * one of the challenge's methods, sends the code to `POST /auth/step-up` (the
 * BFF keeps the fresh tokens in the session) and lets the caller send the
 * operation again.
 */
export function StepUpProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const [challenge, setChallenge] = useState<StepUpChallenge>();
  const settle = useRef<(steppedUp: boolean) => void>(undefined);

  const request = useCallback<RequestStepUp>((next) => {
    settle.current?.(false);
    setChallenge(next);
    return new Promise<boolean>((resolve) => {
      settle.current = resolve;
    });
  }, []);

  // The methods this user has (an authenticator app only once set up), so the dialog offers no other;
  // if they cannot be read, the challenge's own list.
  const mfa = useMeridianQuery(MfaStatusDocument, {}, { enabled: challenge !== undefined, staleTime: 60_000, retry: false });
  const usable = (offered: StepUpChallenge['methods']) => {
    const held = mfa.data?.me.mfa.methods;
    const both = held ? offered.filter((method) => held.includes(method)) : [];
    return both.length > 0 ? both : offered;
  };

  const finish = (steppedUp: boolean) => {
    settle.current?.(steppedUp);
    settle.current = undefined;
    setChallenge(undefined);
  };

  return (
    <StepUpContext.Provider value={request}>
      {children}
      <Modal opened={challenge !== undefined} onClose={() => finish(false)} title="Confirm it is you" centered>
        {challenge && (
          <>
            <Text size="sm" mb="md">
              For your security this needs a second factor from the last {Math.max(1, Math.round(challenge.maxAgeSeconds / 60))} minutes.
            </Text>
            {mfa.isPending ? (
              <Loading label="Loading your second factors" />
            ) : (
              <SecondFactorForm
                methods={usable(challenge.methods)}
                sendCode={async (channel) => (await api.graphql.request(RequestStepUpCodeDocument, { channel })).requestStepUpCode}
                submit={async (method, code) => {
                  await api.auth.stepUp({ method, code });
                  finish(true);
                }}
                submitLabel="Confirm"
                onCancel={() => finish(false)}
              />
            )}
          </>
        )}
      </Modal>
    </StepUpContext.Provider>
  );
}
