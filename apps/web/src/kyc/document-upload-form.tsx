import { Alert, Button, FileInput, Group, Progress, Select, Stack, Text } from '@mantine/core';
import { useForm } from '@mantine/form';
import { isMeridianError, type MeridianErrorCode } from '@meridian/client';
import { UploadKycDocumentDocument, type KycDocumentKind, type UploadKycDocumentMutation } from '@meridian/client/web';
import { useMutation } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { useApi } from '../api/api-context';
import { errorMessage } from '../api/error-messages';
import { DOCUMENT_MESSAGES } from './kyc-messages';
import { DOCUMENT_KIND_LABELS, useRefreshKyc } from './use-kyc';

/** What the BFF takes (it decides by the file's content; the name and declared type only let us warn early). */
const ACCEPTED_TYPES = ['image/jpeg', 'image/png', 'application/pdf'];
const ACCEPTED_NAME = /\.(jpe?g|png|pdf)$/i;
const IMAGE_NAME = /\.(jpe?g|png)$/i;
/** The BFF's limit for one upload. */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

/** Failures after which an upload may already be attached: the next try attaches the same upload rather than sending the file again. */
const UNCERTAIN: MeridianErrorCode[] = ['NETWORK_ERROR', 'BAD_RESPONSE', 'SERVICE_UNAVAILABLE', 'INTERNAL_SERVER_ERROR'];

const KINDS = (Object.keys(DOCUMENT_KIND_LABELS) as KycDocumentKind[]).map((value) => ({ value, label: DOCUMENT_KIND_LABELS[value] }));

/** Why `file` cannot be sent as a `kind`, or null. */
export function fileProblem(file: File | null, kind: string): string | null {
  if (!file) return 'Choose a file.';
  const image = file.type ? file.type === 'image/jpeg' || file.type === 'image/png' : IMAGE_NAME.test(file.name);
  if (!(file.type ? ACCEPTED_TYPES.includes(file.type) : ACCEPTED_NAME.test(file.name))) return 'Choose a JPEG or PNG photo, or a PDF.';
  if (kind === 'SELFIE' && !image) return 'A selfie must be a photo: a JPEG or PNG file.';
  if (file.size === 0) return 'This file is empty.';
  return file.size > MAX_UPLOAD_BYTES ? 'This file is larger than 10 MB. Use a smaller scan or photo.' : null;
}

/** Props of {@link DocumentUploadForm}. */
export interface DocumentUploadFormProps {
  /** The open case the document is attached to. */
  caseId: string;
  /** The kind chosen at first, e.g. the one still missing. */
  defaultKind?: KycDocumentKind;
  onAttached?: (document: UploadKycDocumentMutation['uploadKycDocument']) => void;
}

/**
 * Adds a document to the open case: the file goes to `POST /uploads` (its
 * progress shown), then `uploadKycDocument` attaches the upload. When the
 * attaching fails in a way that leaves its outcome unknown, the next try
 * attaches the same upload again (KYC answers a repeat with the same document).
 */
export function DocumentUploadForm({ caseId, defaultKind, onAttached }: DocumentUploadFormProps) {
  const api = useApi();
  const refreshKyc = useRefreshKyc();
  const [progress, setProgress] = useState<{ percent: number; phase: 'sending' | 'attaching' }>();
  const [done, setDone] = useState<UploadKycDocumentMutation['uploadKycDocument']>();
  const uploaded = useRef<{ file: File; kind: KycDocumentKind; uploadId: string }>(undefined);
  const form = useForm<{ kind: string; file: File | null }>({
    initialValues: { kind: defaultKind ?? '', file: null },
    validate: {
      kind: (value) => (value ? null : 'Choose what the document is.'),
      file: (value, values) => fileProblem(value, values.kind),
    },
  });

  const upload = useMutation({
    mutationFn: async ({ file, kind }: { file: File; kind: KycDocumentKind }) => {
      let uploadId = uploaded.current?.file === file && uploaded.current.kind === kind ? uploaded.current.uploadId : undefined;
      if (!uploadId) {
        setProgress({ percent: 0, phase: 'sending' });
        const answer = await api.uploads.upload(file, file.name, {
          onProgress: (sent, total) => setProgress({ percent: Math.min(100, Math.round((sent * 100) / total)), phase: 'sending' }),
        });
        uploadId = answer.uploadId;
        uploaded.current = { file, kind, uploadId };
      }
      setProgress({ percent: 100, phase: 'attaching' });
      return (await api.graphql.request(UploadKycDocumentDocument, { input: { caseId, uploadId, kind } })).uploadKycDocument;
    },
    onSuccess: async (document) => {
      uploaded.current = undefined;
      setDone(document);
      // The next document is another kind: it is chosen afresh.
      form.setValues({ kind: '', file: null });
      form.resetDirty();
      await refreshKyc();
      onAttached?.(document);
    },
    onError: (error) => {
      if (!isMeridianError(error, ...UNCERTAIN)) uploaded.current = undefined;
    },
    onSettled: () => setProgress(undefined),
  });

  return (
    <form
      onSubmit={form.onSubmit(({ kind, file }) => {
        setDone(undefined);
        upload.mutate({ file: file!, kind: kind as KycDocumentKind });
      })}
      noValidate
    >
      <Stack>
        <Select label="What is it?" placeholder="Choose one" data={KINDS} required allowDeselect={false} {...form.getInputProps('kind')} />
        <FileInput
          label="File"
          description="A JPEG or PNG photo, or a PDF scan; at most 10 MB."
          placeholder="Choose a file"
          accept={ACCEPTED_TYPES.join(',')}
          // Mantine's placeholder grey is too faint for text on white.
          styles={{ placeholder: { color: 'var(--mantine-color-dimmed)' } }}
          clearable
          required
          {...form.getInputProps('file')}
        />
        {progress && (
          <Stack gap={4}>
            <Progress value={progress.percent} aria-label="Upload progress" />
            <Text size="sm" aria-live="polite">
              {progress.phase === 'sending' ? `Uploading… ${progress.percent}%` : 'Adding it to your verification…'}
            </Text>
          </Stack>
        )}
        {upload.error && (
          <Alert color="red" role="alert" title="Not uploaded">
            {errorMessage(upload.error, DOCUMENT_MESSAGES)}
          </Alert>
        )}
        {done && (
          <Alert color="green" role="status" title="Document added">
            {DOCUMENT_KIND_LABELS[done.kind]} added to your verification.
          </Alert>
        )}
        <Group>
          <Button type="submit" loading={upload.isPending}>
            Upload
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
