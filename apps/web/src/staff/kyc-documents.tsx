import { Alert, Anchor, Badge, Box, Button, Card, Group, Image, Stack, Text, Title } from '@mantine/core';
import type { KycCaseQuery, KycDocumentKind } from '@meridian/client/web';
import { useState } from 'react';
import { formatDateTime, formatSize } from './staff-format';

/** A document of a case as the case query returns it. */
export type CaseDocument = NonNullable<KycCaseQuery['kycCase']>['documents'][number];

const KIND_LABELS: Record<KycDocumentKind, string> = {
  PASSPORT: 'Passport',
  NATIONAL_ID: 'National identity card',
  DRIVING_LICENCE: 'Driving licence',
  PROOF_OF_ADDRESS: 'Proof of address',
  SELFIE: 'Selfie',
};

/**
 * Where the browser reads a document's content: the web BFF's
 * `/kyc/documents/:id`, with the review session's reason (KYC audits the read with it).
 */
export function documentUrl(id: string, reason: string): string {
  return `/kyc/documents/${encodeURIComponent(id)}?reason=${encodeURIComponent(reason)}`;
}

function DocumentItem({ document, reason }: { document: CaseDocument; reason: string }) {
  const [viewing, setViewing] = useState(false);
  const [failed, setFailed] = useState(false);
  const label = KIND_LABELS[document.kind];
  const image = document.contentType.startsWith('image/');
  const url = documentUrl(document.id, reason);
  return (
    <Box component="li" py="sm" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }} data-testid="kyc-document">
      <Stack gap="xs">
        <Group justify="space-between" align="flex-start" gap="xs">
          <div>
            <Text fw={600}>{label}</Text>
            <Text size="sm" c="dimmed">
              {document.contentType === 'application/pdf' ? 'PDF' : document.contentType.replace('image/', '').toUpperCase()} · {formatSize(document.size)} · uploaded{' '}
              {formatDateTime(document.uploadedAt)}
            </Text>
          </div>
          {document.deletedAt ? (
            <Badge color="gray" variant="light">
              Deleted {formatDateTime(document.deletedAt)}
            </Badge>
          ) : image ? (
            <Button
              size="xs"
              variant="light"
              aria-expanded={viewing}
              onClick={() => {
                setFailed(false);
                setViewing((v) => !v);
              }}
            >
              {viewing ? `Hide the ${label.toLowerCase()}` : `View the ${label.toLowerCase()}`}
            </Button>
          ) : (
            <Anchor href={url} download size="sm">
              Download the {label.toLowerCase()}
            </Anchor>
          )}
        </Group>
        {viewing && !failed && (
          <Image src={url} alt={`${label} uploaded ${formatDateTime(document.uploadedAt)}`} maw={480} radius="sm" onError={() => setFailed(true)} />
        )}
        {viewing && failed && (
          <Alert color="red" role="alert">
            This document could not be shown. It may have been deleted, or the reason was refused: check it and try again.
          </Alert>
        )}
      </Stack>
    </Box>
  );
}

/** A case's documents: images viewed in the page, PDFs downloaded, each read through the web BFF with the reason. */
export function KycDocuments({ documents, reason }: { documents: CaseDocument[]; reason: string }) {
  return (
    <Card withBorder component="section" aria-labelledby="kyc-documents">
      <Stack gap="xs">
        <Title order={2} size="h4" id="kyc-documents">
          Documents
        </Title>
        {documents.length === 0 ? (
          <Text size="sm">No documents were uploaded for this case.</Text>
        ) : (
          <Box component="ul" p={0} m={0} style={{ listStyle: 'none' }} aria-label="Documents">
            {documents.map((document) => (
              <DocumentItem key={document.id} document={document} reason={reason} />
            ))}
          </Box>
        )}
      </Stack>
    </Card>
  );
}
