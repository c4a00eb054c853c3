import { Alert, Button, Group, Radio, Stack } from '@mantine/core';
import { useForm } from '@mantine/form';
import { StartVerificationDocument, type KycTier } from '@meridian/client/web';
import { errorMessage } from '../api/error-messages';
import { useMeridianMutation } from '../api/use-meridian';
import { START_MESSAGES } from './kyc-messages';
import { TIER_DESCRIPTIONS, TIER_LABELS, useRefreshKyc } from './use-kyc';

const TIERS: readonly KycTier[] = ['TIER_0', 'TIER_1', 'TIER_2'];

/** Props of {@link StartVerificationForm}. */
export interface StartVerificationFormProps {
  /** The tier the customer holds: only higher ones are offered. */
  tier: KycTier;
}

/** Opens a verification for a tier above the customer's (`startVerification`). */
export function StartVerificationForm({ tier }: StartVerificationFormProps) {
  const refreshKyc = useRefreshKyc();
  const offered = (['TIER_1', 'TIER_2'] as const).filter((t) => TIERS.indexOf(t) > TIERS.indexOf(tier));
  const form = useForm<{ targetTier: string }>({
    initialValues: { targetTier: offered[0] ?? '' },
    validate: { targetTier: (value) => (offered.some((t) => t === value) ? null : 'Choose the tier you want.') },
  });
  const start = useMeridianMutation(StartVerificationDocument, { onSuccess: () => refreshKyc() });
  return (
    <form onSubmit={form.onSubmit(({ targetTier }) => start.mutate({ input: { targetTier: targetTier as KycTier } }))} noValidate>
      <Stack>
        <Radio.Group label="Which tier do you want?" required {...form.getInputProps('targetTier')}>
          <Stack gap="sm" mt="xs">
            {offered.map((t) => (
              <Radio key={t} value={t} label={TIER_LABELS[t]} description={TIER_DESCRIPTIONS[t]} />
            ))}
          </Stack>
        </Radio.Group>
        {start.error && (
          <Alert color="red" role="alert" title="Not started">
            {errorMessage(start.error, START_MESSAGES)}
          </Alert>
        )}
        <Group>
          <Button type="submit" loading={start.isPending}>
            Start verification
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
