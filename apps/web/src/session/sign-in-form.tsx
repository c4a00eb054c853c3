import { Alert, Button, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { mfaChallengeOf, type MfaChallenge } from '@meridian/client';
import { SendSignInCodeDocument } from '@meridian/client/web';
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useApi } from '../api/api-context';
import type { SignedInUser, WebSessionInfo } from '../api/auth-api';
import { describeWait, errorMessage, errorReason, type ErrorMessages } from '../api/error-messages';
import { SecondFactorForm } from './second-factor-form';

/** A syntactic check only; the server decides whether the address has an account. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const SIGN_IN_MESSAGES: ErrorMessages = {
  UNAUTHENTICATED: 'The email address or password is incorrect.',
  FORBIDDEN: 'This sign-in was refused. Reload the page and try again.',
  RATE_LIMITED: (error) => {
    const wait = error.retryAfter !== undefined ? describeWait(error.retryAfter) : 'a while';
    return errorReason(error) === 'SIGN_IN_LOCKED'
      ? `Too many failed sign-ins: this account is locked for ${wait}. Reset your password, or try again later.`
      : `Too many failed attempts. Try again in ${wait}.`;
  },
};

const SECOND_FACTOR_MESSAGES: ErrorMessages = {
  RATE_LIMITED: (error) =>
    errorReason(error) === 'MFA_LOCKED'
      ? `Too many wrong codes. Try again in ${describeWait(error.retryAfter ?? 900)}.`
      : `Wait ${describeWait(error.retryAfter ?? 30)} before asking for another code.`,
};

/** Props of {@link SignInForm}. */
export interface SignInFormProps {
  /** Called once the BFF has set the session cookie. */
  onSignedIn: (signedIn: { user: SignedInUser; session: WebSessionInfo }) => void;
}

/**
 * Sign-in with email and password (`POST /auth/login`); when the BFF answers
 * MFA_REQUIRED, the second step with the methods it offers (`POST /auth/mfa`,
 * codes by email or SMS through `sendSignInCode`).
 */
export function SignInForm({ onSignedIn }: SignInFormProps) {
  const api = useApi();
  const [challenge, setChallenge] = useState<MfaChallenge>();
  const [notice, setNotice] = useState<string>();
  const form = useForm({
    initialValues: { email: '', password: '' },
    validate: {
      email: (value) => (!value.trim() ? 'Enter your email address.' : EMAIL.test(value.trim()) ? null : 'Enter an email address like name@example.com.'),
      password: (value) => (value ? null : 'Enter your password.'),
    },
  });
  const signIn = useMutation({
    mutationFn: (input: { email: string; password: string }) => api.auth.signIn(input),
    onSuccess: (signedIn) => onSignedIn(signedIn),
    onError: (error) => {
      const mfa = mfaChallengeOf(error);
      if (mfa) {
        setNotice(undefined);
        setChallenge(mfa);
      }
    },
  });

  if (challenge) {
    return (
      <Stack>
        <Text>Your password is right. Now confirm it is you with a second factor.</Text>
        <SecondFactorForm
          methods={challenge.methods}
          sendCode={async (channel) => (await api.graphql.request(SendSignInCodeDocument, { mfaToken: challenge.mfaToken, channel })).sendSignInCode}
          submit={async (method, code) => {
            try {
              onSignedIn(await api.auth.completeSignIn({ mfaToken: challenge.mfaToken, method, code }));
            } catch (err) {
              // Too many wrong codes or too late: this sign-in is over; start again with the password.
              if (errorReason(err) === 'MFA_TOKEN_INVALID') {
                setChallenge(undefined);
                setNotice('That sign-in has expired. Sign in again.');
                form.setFieldValue('password', '');
              }
              throw err;
            }
          }}
          submitLabel="Sign in"
          onCancel={() => setChallenge(undefined)}
          messages={SECOND_FACTOR_MESSAGES}
        />
      </Stack>
    );
  }

  const refusal = signIn.error && !mfaChallengeOf(signIn.error) ? errorMessage(signIn.error, SIGN_IN_MESSAGES) : undefined;
  return (
    <form onSubmit={form.onSubmit((values) => signIn.mutate({ email: values.email.trim(), password: values.password }))} noValidate>
      <Stack>
        {notice && (
          <Alert color="yellow" role="status">
            {notice}
          </Alert>
        )}
        <TextInput label="Email address" type="email" autoComplete="username" required {...form.getInputProps('email')} />
        <PasswordInput label="Password" autoComplete="current-password" required {...form.getInputProps('password')} />
        {refusal && (
          <Alert color="red" role="alert" title="Not signed in">
            {refusal}
          </Alert>
        )}
        <Button type="submit" loading={signIn.isPending}>
          Sign in
        </Button>
      </Stack>
    </form>
  );
}
