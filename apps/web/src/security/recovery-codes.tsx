import { Alert, Button, Code, CopyButton, Group, SimpleGrid, Stack, Text } from '@mantine/core';

/** Props of {@link RecoveryCodes}. */
export interface RecoveryCodesProps {
  codes: readonly string[];
  /** The person says they have kept them; they are not shown again. */
  onDone: () => void;
}

/** The codes as a text file: what "Download" saves. */
export function recoveryCodesFile(codes: readonly string[]): string {
  return ['Meridian recovery codes', 'Each code signs you in once if you lose your authenticator app.', '', ...codes, ''].join('\n');
}

/**
 * Ten single-use recovery codes, shown once (identity keeps only their
 * hashes): copy them, download them as a text file, then say they are kept.
 */
export function RecoveryCodes({ codes, onDone }: RecoveryCodesProps) {
  const text = recoveryCodesFile(codes);
  return (
    <Stack>
      <Alert color="yellow" role="status" title="Save your recovery codes now">
        Each code signs you in once if you lose your phone. Keep them somewhere safe, away from your phone: you will not see them again.
      </Alert>
      <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="xs" component="ol" aria-label="Recovery codes" p={0} m={0} style={{ listStyle: 'none' }}>
        {codes.map((code) => (
          <li key={code}>
            <Code fz="md" data-testid="recovery-code">
              {code}
            </Code>
          </li>
        ))}
      </SimpleGrid>
      <Group gap="sm">
        <CopyButton value={codes.join('\n')}>
          {({ copied, copy }) => (
            <Button variant="default" onClick={copy}>
              {copied ? 'Copied' : 'Copy the codes'}
            </Button>
          )}
        </CopyButton>
        <Button variant="default" component="a" href={`data:text/plain;charset=utf-8,${encodeURIComponent(text)}`} download="meridian-recovery-codes.txt">
          Download the codes
        </Button>
      </Group>
      <Text size="sm">Codes are not case-sensitive; the dash is optional.</Text>
      <Group>
        <Button onClick={onDone}>I have saved my recovery codes</Button>
      </Group>
    </Stack>
  );
}
