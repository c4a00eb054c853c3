import { Paper } from '@mantine/core';
import { KycStepFrame } from './kyc-step-frame';
import { PhoneVerificationForm } from './phone-verification-form';

/** Verification step: a mobile number proved with a texted code. */
export function PhoneScreen() {
  return (
    <KycStepFrame title="Your mobile number" intro="We text a 6-digit code to the number. Entering it proves the number is yours.">
      {(kyc) => (
        <Paper withBorder p="lg">
          <PhoneVerificationForm phone={kyc.profile.phone} />
        </Paper>
      )}
    </KycStepFrame>
  );
}
