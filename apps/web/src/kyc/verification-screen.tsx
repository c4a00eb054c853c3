import { Alert, Badge, Button, Card, Group, List, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { SubmitVerificationDocument } from '@meridian/client/web';
import { errorMessage } from '../api/error-messages';
import { useMeridianMutation } from '../api/use-meridian';
import { AnchorLink } from '../layout/router-links';
import { formatMoney } from '../money/format-money';
import { SUBMIT_MESSAGES } from './kyc-messages';
import { StartVerificationForm } from './start-verification-form';
import { CASE_STATE_LABELS, editableCase, STATUS_COLORS, STATUS_LABELS, stepsFor, TIER_LABELS, useKyc, useRefreshKyc, type KycCaseSummary, type KycOverview } from './use-kyc';
import { Loading } from '../layout/load-states';

const day = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

function Limits({ limits }: { limits: KycOverview['limits'] }) {
  const items = [
    { label: 'Largest payment', amount: limits.singlePayment },
    { label: 'Each day', amount: limits.daily },
    { label: 'Each 30 days', amount: limits.monthly },
  ];
  return (
    <SimpleGrid cols={{ base: 1, xs: 3 }} spacing="xs" data-testid="kyc-limits">
      {items.map((item) => (
        <Stack gap={0} key={item.label}>
          <Text size="sm" c="dimmed">
            {item.label}
          </Text>
          <Text fw={600}>{formatMoney(item.amount, limits.currency)}</Text>
        </Stack>
      ))}
    </SimpleGrid>
  );
}

/** The steps of the open case, each done or to do, with a link to its screen. */
function Checklist({ kyc, openCase }: { kyc: KycOverview; openCase: KycCaseSummary }) {
  const steps = stepsFor(openCase.targetTier);
  return (
    <List listStyleType="none" spacing="sm" aria-label="What your verification needs" data-testid="kyc-steps">
      {steps.map((step) => {
        const missing = kyc.nextSteps.includes(step.step);
        return (
          <List.Item key={step.step} data-testid="kyc-step">
            <Group gap="sm" wrap="nowrap">
              <Badge color={missing ? 'orange' : 'green'} variant="light" miw={64}>
                {missing ? 'To do' : 'Done'}
              </Badge>
              <AnchorLink to={step.to}>{step.label}</AnchorLink>
            </Group>
          </List.Item>
        );
      })}
    </List>
  );
}

function SubmitVerification({ kyc, openCase }: { kyc: KycOverview; openCase: KycCaseSummary }) {
  const refreshKyc = useRefreshKyc();
  const submit = useMeridianMutation(SubmitVerificationDocument, { onSuccess: () => refreshKyc() });
  const ready = kyc.nextSteps.length === 1 && kyc.nextSteps[0] === 'SUBMIT';
  return (
    <Stack>
      {submit.error && (
        <Alert color="red" role="alert" title="Not submitted">
          {errorMessage(submit.error, SUBMIT_MESSAGES)}
        </Alert>
      )}
      {ready ? (
        <Group>
          <Button onClick={() => submit.mutate({ caseId: openCase.id })} loading={submit.isPending}>
            Submit for checks
          </Button>
        </Group>
      ) : (
        <Text size="sm">You can submit once every step above is done.</Text>
      )}
    </Stack>
  );
}

/** Where the customer's verification stands: tier and limits, the case and its state, what is missing, and the way to start or submit. */
export function VerificationScreen() {
  const kyc = useKyc();
  const data = kyc.data?.me.kyc;
  const openCase = editableCase(data);
  const current = data?.currentCase;
  return (
    <Stack maw={720}>
      <Title order={1}>Verify your identity</Title>
      <Text>The bank must know who you are before money can leave your accounts. The more we verify, the higher your limits.</Text>
      {kyc.isPending && <Loading label="Loading your verification" />}
      {kyc.error && (
        <Alert color="red" role="alert">
          {errorMessage(kyc.error)}
        </Alert>
      )}
      {data && (
        <>
          <Paper withBorder p="lg" data-testid="kyc-summary">
            <Stack gap="sm">
              <Group justify="space-between" wrap="wrap">
                <Title order={2} size="h3">
                  {TIER_LABELS[data.tier]}
                </Title>
                <Badge color={STATUS_COLORS[data.status]} variant="light" size="lg" data-testid="kyc-status">
                  {STATUS_LABELS[data.status]}
                </Badge>
              </Group>
              <Text size="sm">What you can send out now:</Text>
              <Limits limits={data.limits} />
            </Stack>
          </Paper>

          {current && (
            <Card withBorder data-testid="kyc-case">
              <Stack gap="xs">
                <Title order={2} size="h4">
                  Verification for {TIER_LABELS[current.targetTier]}
                </Title>
                <Text>
                  <Text span fw={600}>
                    {CASE_STATE_LABELS[current.state]}
                  </Text>{' '}
                  · opened {day.format(new Date(current.createdAt))}
                  {current.submittedAt ? ` · submitted ${day.format(new Date(current.submittedAt))}` : ''}
                  {current.decidedAt ? ` · decided ${day.format(new Date(current.decidedAt))}` : ''}
                </Text>
                {current.customerMessage && (
                  <Alert color="yellow" role="status" title="From the bank">
                    {current.customerMessage}
                  </Alert>
                )}
              </Stack>
            </Card>
          )}

          {data.nextSteps.includes('WAIT') && (
            <Alert color="blue" role="status" title="We are checking your details">
              This usually takes a few moments; this page updates by itself.
            </Alert>
          )}

          {openCase && (
            <Paper withBorder p="lg">
              <Stack>
                <Title order={2} size="h3">
                  What is left to do
                </Title>
                <Checklist kyc={data} openCase={openCase} />
                <SubmitVerification kyc={data} openCase={openCase} />
              </Stack>
            </Paper>
          )}

          {data.nextSteps.includes('START_VERIFICATION') && (
            <Paper withBorder p="lg">
              <Stack>
                <Title order={2} size="h3">
                  {data.tier === 'TIER_0' ? 'Get verified' : 'Raise your limits'}
                </Title>
                <StartVerificationForm tier={data.tier} />
              </Stack>
            </Paper>
          )}

          {data.nextSteps.length === 0 && (
            <Alert color="green" role="status" title="Fully verified">
              You are verified to the highest tier. There is nothing more to do.
            </Alert>
          )}
        </>
      )}
    </Stack>
  );
}
