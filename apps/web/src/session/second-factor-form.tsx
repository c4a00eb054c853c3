import { Button, Group, Radio, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import type { SecondFactorMethod } from '@meridian/client';
import { useState } from 'react';
import { errorMessage, type ErrorMessages } from '../api/error-messages';
import { FormActions } from '../layout/form-actions';

const METHOD_LABELS: Record<SecondFactorMethod, string> = {
  TOTP: 'Authenticator app',
  EMAIL: 'A code by email',
  SMS: 'A code by text message',
  RECOVERY_CODE: 'A recovery code',
};

/** The order offered, the most secure first. */
const PREFERENCE: SecondFactorMethod[] = ['TOTP', 'SMS', 'EMAIL', 'RECOVERY_CODE'];

/** Props of {@link SecondFactorForm}. */
export interface SecondFactorFormProps {
  /** The methods the challenge offers (`MFA_REQUIRED` or `STEP_UP_REQUIRED`). */
  methods: SecondFactorMethod[];
  /** Sends a code by email or SMS; resolves with where it went. */
  sendCode: (channel: 'EMAIL' | 'SMS') => Promise<{ sentTo: string }>;
  /** Checks the code; rejects with a MeridianError to show. */
  submit: (method: SecondFactorMethod, code: string) => Promise<void>;
  submitLabel: string;
  onCancel?: () => void;
  /** Wording for this form's refusals. */
  messages?: ErrorMessages;
}

/**
 * A second factor: pick one of the offered methods, have a code sent for email
 * and SMS, type it. Used by the sign-in's second step and by the step-up dialog.
 */
export function SecondFactorForm({ methods, sendCode, submit, submitLabel, onCancel, messages }: SecondFactorFormProps) {
  const offered = PREFERENCE.filter((m) => methods.includes(m));
  const form = useForm({
    initialValues: { method: offered[0] ?? 'EMAIL', code: '' },
    validate: {
      code: (value, values) => {
        const code = value.trim();
        if (!code) return 'Enter the code.';
        if (values.method !== 'RECOVERY_CODE' && !/^\d{6}$/.test(code)) return 'The code is 6 digits.';
        return null;
      },
    },
  });
  const [sentTo, setSentTo] = useState<string>();
  const [sending, setSending] = useState(false);
  const [checking, setChecking] = useState(false);
  const [problem, setProblem] = useState<string>();
  const method = form.values.method as SecondFactorMethod;
  const channel = method === 'EMAIL' || method === 'SMS' ? method : undefined;

  const send = async () => {
    if (!channel) return;
    setSending(true);
    setProblem(undefined);
    try {
      setSentTo((await sendCode(channel)).sentTo);
    } catch (err) {
      setProblem(errorMessage(err, messages));
    } finally {
      setSending(false);
    }
  };

  const onSubmit = form.onSubmit(async ({ code }) => {
    setChecking(true);
    setProblem(undefined);
    try {
      await submit(method, code.trim());
    } catch (err) {
      setProblem(errorMessage(err, messages));
    } finally {
      setChecking(false);
    }
  });

  return (
    <form onSubmit={onSubmit} noValidate>
      <Stack>
        {offered.length > 1 ? (
          <Radio.Group
            label="How do you want to confirm it is you?"
            {...form.getInputProps('method')}
            onChange={(value) => {
              form.setFieldValue('method', value as SecondFactorMethod);
              setSentTo(undefined);
            }}
          >
            <Stack gap="xs" mt="xs">
              {offered.map((m) => (
                <Radio key={m} value={m} label={METHOD_LABELS[m]} />
              ))}
            </Stack>
          </Radio.Group>
        ) : (
          <Text>{METHOD_LABELS[method]}</Text>
        )}
        {channel && (
          <Group gap="sm">
            <Button variant="default" onClick={send} loading={sending}>
              {sentTo ? 'Send another code' : channel === 'EMAIL' ? 'Email me a code' : 'Text me a code'}
            </Button>
            {sentTo && <Text size="sm">We sent a code to {sentTo}.</Text>}
          </Group>
        )}
        <TextInput
          label={method === 'RECOVERY_CODE' ? 'Recovery code' : '6-digit code'}
          autoComplete="one-time-code"
          inputMode={method === 'RECOVERY_CODE' ? 'text' : 'numeric'}
          {...form.getInputProps('code')}
        />
        <FormActions refusal={problem} refusalTitle="Not confirmed" onCancel={onCancel}>
          <Button type="submit" loading={checking}>
            {submitLabel}
          </Button>
        </FormActions>
      </Stack>
    </form>
  );
}
