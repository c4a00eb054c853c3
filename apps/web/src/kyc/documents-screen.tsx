import { Badge, Card, Group, Paper, Stack, Text, Title } from '@mantine/core';
import type { KycDocumentKind } from '@meridian/client/web';
import { DocumentUploadForm } from './document-upload-form';
import { KycStepFrame } from './kyc-step-frame';
import { DOCUMENT_KIND_LABELS, type KycCaseSummary } from './use-kyc';

const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const kilobytes = new Intl.NumberFormat(undefined, { style: 'unit', unit: 'kilobyte', maximumFractionDigits: 0 });
const megabytes = new Intl.NumberFormat(undefined, { style: 'unit', unit: 'megabyte', maximumFractionDigits: 1 });

/** "420 kB", "2.5 MB". */
export function formatFileSize(bytes: number): string {
  return bytes < 1024 * 1024 ? kilobytes.format(Math.max(1, Math.round(bytes / 1024))) : megabytes.format(bytes / (1024 * 1024));
}

const TYPE_NAMES: Record<string, string> = { 'image/jpeg': 'JPEG', 'image/png': 'PNG', 'application/pdf': 'PDF' };

function AttachedDocuments({ documents }: { documents: KycCaseSummary['documents'] }) {
  if (documents.length === 0) return <Text c="dimmed">No documents yet.</Text>;
  return (
    <Stack component="ul" gap="xs" p={0} m={0} style={{ listStyle: 'none' }} aria-label="Documents added">
      {documents.map((document) => (
        <Card withBorder component="li" key={document.id} data-testid="kyc-document">
          <Group justify="space-between" wrap="wrap" gap="xs">
            <Text fw={600}>{DOCUMENT_KIND_LABELS[document.kind]}</Text>
            <Badge color="gray" variant="light">
              {TYPE_NAMES[document.contentType] ?? document.contentType} · {formatFileSize(document.size)}
            </Badge>
          </Group>
          <Text size="sm" c="dimmed">
            Added {when.format(new Date(document.uploadedAt))}
          </Text>
        </Card>
      ))}
    </Stack>
  );
}

/** Verification step: identity document and selfie, uploaded and attached to the open case. */
export function DocumentsScreen() {
  return (
    <KycStepFrame
      title="Your documents"
      intro="Tier 2 needs a passport, national identity card or driving licence, and a selfie taken now. Photos and scans are stored encrypted."
      needsOpenCase
    >
      {(kyc, openCase) => {
        const missing: KycDocumentKind | undefined = kyc.nextSteps.includes('UPLOAD_IDENTITY_DOCUMENT') ? 'PASSPORT' : kyc.nextSteps.includes('UPLOAD_SELFIE') ? 'SELFIE' : undefined;
        return (
          openCase && (
            <>
              <Paper withBorder p="lg">
                <DocumentUploadForm key={openCase.id} caseId={openCase.id} defaultKind={missing} />
              </Paper>
              <Title order={2} size="h3">
                Added to your verification
              </Title>
              <AttachedDocuments documents={openCase.documents} />
            </>
          )
        );
      }}
    </KycStepFrame>
  );
}
