import { Alert, Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { RequestPhoneCodeDocument, VerifyPhoneCodeDocument, type RequestPhoneCodeMutation, type VerifyPhoneCodeMutation } from '@meridian/client/web';
import { useState } from 'react';
import { useMeridianMutation } from '../api/use-meridian';
import { phoneCodeCheckMessage, phoneCodeRequestMessage } from './kyc-messages';
import { useRefreshKyc, type KycOverview } from './use-kyc';

const time = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });

/** A number in international form once spaces, dashes, dots and brackets are dropped: `+`, a country code, 7 to 15 digits. */
const INTERNATIONAL = /^\+[1-9]\d{6,14}$/;

/** Props of {@link PhoneVerificationForm}. */
export interface PhoneVerificationFormProps {
  /** The number KYC holds, if any. */
  phone: KycOverview['profile']['phone'];
  onVerified?: (phone: NonNullable<VerifyPhoneCodeMutation['verifyPhoneCode']['phone']>) => void;
}

/**
 * Proves a mobile number: `requestPhoneCode` texts a 6-digit code (one a
 * minute), `verifyPhoneCode` checks it (five tries). Changing a verified
 * number needs a recent second factor, which the step-up dialog asks for.
 */
export function PhoneVerificationForm({ phone, onVerified }: PhoneVerificationFormProps) {
  const refreshKyc = useRefreshKyc();
  const [sent, setSent] = useState<RequestPhoneCodeMutation['requestPhoneCode']>();
  const [verified, setVerified] = useState<string>();
  const numberForm = useForm({
    initialValues: { phone: phone?.value ?? '' },
    validate: {
      phone: (value) =>
        INTERNATIONAL.test(value.replace(/[\s().-]/g, '')) ? null : 'Write the number in international form, starting with + and the country code, like +44 7911 123456.',
    },
  });
  const codeForm = useForm({
    initialValues: { code: '' },
    validate: { code: (value) => (/^\d{6}$/.test(value.trim()) ? null : 'The code is the 6 digits we sent.') },
  });
  const request = useMeridianMutation(RequestPhoneCodeDocument, {
    onSuccess: (data) => {
      setSent(data.requestPhoneCode);
      setVerified(undefined);
      codeForm.reset();
    },
  });
  const check = useMeridianMutation(VerifyPhoneCodeDocument, {
    onSuccess: async (data) => {
      const number = data.verifyPhoneCode.phone;
      setSent(undefined);
      setVerified(number?.value);
      await refreshKyc();
      if (number) onVerified?.(number);
    },
  });

  return (
    <Stack>
      {phone?.status === 'VERIFIED' && !verified && (
        <Text>
          Your verified number is <strong>{phone.value}</strong>. To use another, enter it below: you will be asked to confirm it is you.
        </Text>
      )}
      <form
        onSubmit={numberForm.onSubmit(({ phone: number }) => {
          check.reset();
          request.mutate({ phone: number.trim() });
        })}
        noValidate
      >
        <Stack>
          <TextInput label="Mobile number" type="tel" autoComplete="tel" inputMode="tel" required {...numberForm.getInputProps('phone')} />
          {request.error && (
            <Alert color="red" role="alert" title="No code sent">
              {phoneCodeRequestMessage(request.error)}
            </Alert>
          )}
          <Group>
            <Button type="submit" variant={sent ? 'default' : 'filled'} loading={request.isPending}>
              {sent ? 'Send another code' : 'Text me a code'}
            </Button>
          </Group>
        </Stack>
      </form>
      {sent && (
        <form onSubmit={codeForm.onSubmit(({ code }) => check.mutate({ code: code.trim() }))} noValidate>
          <Stack>
            <Text role="status">
              We sent a code to {sent.phone}. It works until {time.format(new Date(sent.expiresAt))}; you can ask for another after{' '}
              {time.format(new Date(sent.resendAfter))}.
            </Text>
            <TextInput label="6-digit code" autoComplete="one-time-code" inputMode="numeric" maxLength={6} required {...codeForm.getInputProps('code')} />
            {check.error && (
              <Alert color="red" role="alert" title="Not verified">
                {phoneCodeCheckMessage(check.error)}
              </Alert>
            )}
            <Group>
              <Button type="submit" loading={check.isPending}>
                Verify my number
              </Button>
            </Group>
          </Stack>
        </form>
      )}
      {verified && (
        <Alert color="green" role="status" title="Number verified">
          Your mobile number {verified} is verified.
        </Alert>
      )}
    </Stack>
  );
}
