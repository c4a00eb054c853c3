import { Paper } from '@mantine/core';
import { KycStepFrame } from './kyc-step-frame';
import { ProfileForm } from './profile-form';

/** Verification step: the personal details (`updateKycProfile`). */
export function ProfileScreen() {
  return (
    <KycStepFrame title="Your personal details" intro="As they appear on your identity document. We check them with a verification service." needsOpenCase>
      {(kyc) => (
        <Paper withBorder p="lg">
          <ProfileForm profile={kyc.profile} />
        </Paper>
      )}
    </KycStepFrame>
  );
}
