/** @jest-environment jsdom */
import './support/dom-setup';
import { UploadKycDocumentDocument } from '@meridian/client/web';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { DocumentUploadForm, MAX_UPLOAD_BYTES } from '../src/kyc/document-upload-form';
import { createFakeBff, data, refusal, type FakeBff } from './support/fake-bff';
import { installFakeUploads, uploaded, type FakeUploadAnswer } from './support/fake-uploads';
import { CASE_ID } from './support/kyc';
import { renderWithApp } from './support/render-with-app';

type Events = ReturnType<typeof userEvent.setup>;
type KindLabel = 'Passport' | 'Selfie' | 'Driving licence';

const UPLOAD_ID = '0190f1c2-0000-7000-8000-00000000abcd';
const pdf = () => new File(['%PDF-1.7 a scan!'], 'passport.pdf', { type: 'application/pdf' });
const jpeg = () => new File([new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3])], 'me.jpg', { type: 'image/jpeg' });

const attached = (variables: Record<string, unknown>) => {
  const input = variables.input as { kind: string };
  return data({ uploadKycDocument: { id: 'doc-1', kind: input.kind, contentType: 'application/pdf', size: 15, uploadedAt: '2026-12-07T10:00:00.000Z' } });
};

let fake: ReturnType<typeof installFakeUploads> | undefined;
afterEach(() => fake?.restore());

function setup(bff: FakeBff, answer: (file: File) => FakeUploadAnswer | Promise<FakeUploadAnswer> = (file) => uploaded(UPLOAD_ID, file)) {
  fake = installFakeUploads((upload) => answer(upload.file));
  const onAttached = jest.fn();
  const view = renderWithApp(<DocumentUploadForm caseId={CASE_ID} onAttached={onAttached} />, bff);
  return { onAttached, uploads: fake.uploads, events: userEvent.setup({ applyAccept: false }), container: view.container };
}

async function choose(events: Events, container: HTMLElement, kind: KindLabel, file: File) {
  await events.click(screen.getByRole('textbox', { name: 'What is it?' }));
  await events.click(await screen.findByRole('option', { name: kind }));
  await events.upload(container.querySelector<HTMLInputElement>('input[type="file"]')!, file);
}

const send = (events: Events) => events.click(screen.getByRole('button', { name: 'Upload' }));

describe('the document upload', () => {
  it('asks what the document is and for a file', async () => {
    const bff = createFakeBff();
    const { events, uploads } = setup(bff);
    await send(events);
    expect(await screen.findByText('Choose what the document is.')).toBeTruthy();
    expect(screen.getByText('Choose a file.')).toBeTruthy();
    expect(uploads).toEqual([]);
  });

  it.each<[string, KindLabel, () => File, string]>([
    ['a text file', 'Passport', () => new File(['hello'], 'notes.txt', { type: 'text/plain' }), 'Choose a JPEG or PNG photo, or a PDF.'],
    ['a PDF as a selfie', 'Selfie', pdf, 'A selfie must be a photo: a JPEG or PNG file.'],
    ['an empty file', 'Passport', () => new File([], 'empty.pdf', { type: 'application/pdf' }), 'This file is empty.'],
    ['a file over 10 MB', 'Driving licence', () => new File([new Uint8Array(MAX_UPLOAD_BYTES + 1)], 'big.jpg', { type: 'image/jpeg' }), 'This file is larger than 10 MB.'],
  ])('refuses %s before sending it', async (_case, kind, file, problem) => {
    const bff = createFakeBff();
    const { events, uploads, container } = setup(bff);
    await choose(events, container, kind, file());
    await send(events);
    expect(await screen.findByText(new RegExp(problem.replace(/[.]/g, '\\.')))).toBeTruthy();
    expect(uploads).toEqual([]);
  });

  it('uploads the file with its progress shown, then attaches the upload to the case', async () => {
    const bff = createFakeBff();
    bff.on(UploadKycDocumentDocument, attached);
    let answer!: (value: FakeUploadAnswer) => void;
    const { events, uploads, container, onAttached } = setup(bff, () => new Promise((resolve) => (answer = resolve)));
    await choose(events, container, 'Passport', pdf());
    await send(events);
    const bar = await screen.findByRole('progressbar', { name: 'Upload progress' });
    await waitFor(() => expect(bar.getAttribute('aria-valuenow')).toBe('50'));
    expect(screen.getByText('Uploading… 50%')).toBeTruthy();
    expect(uploads).toHaveLength(1);
    expect(uploads[0]).toMatchObject({ method: 'POST', url: '/uploads', headers: { accept: 'application/json' } });
    expect(uploads[0].file.name).toBe('passport.pdf');
    answer(uploaded(UPLOAD_ID, uploads[0].file));
    expect((await screen.findByRole('status')).textContent).toContain('Passport added to your verification.');
    expect(bff.variablesOf(UploadKycDocumentDocument)).toEqual([{ input: { caseId: CASE_ID, uploadId: UPLOAD_ID, kind: 'PASSPORT' } }]);
    await waitFor(() => expect(onAttached).toHaveBeenCalledWith(expect.objectContaining({ id: 'doc-1', kind: 'PASSPORT' })));
    expect(screen.queryByRole('progressbar')).toBeNull();
  });

  it('attaches the same upload again after a failure that left it unknown, without sending the file twice', async () => {
    const bff = createFakeBff();
    let attempt = 0;
    bff.on(UploadKycDocumentDocument, (variables) => (++attempt === 1 ? 'network-error' : attached(variables)));
    const { events, uploads, container } = setup(bff);
    await choose(events, container, 'Selfie', jpeg());
    await send(events);
    expect((await screen.findByRole('alert')).textContent).toContain('We could not reach Meridian.');
    await send(events);
    expect((await screen.findByRole('status')).textContent).toContain('Selfie added to your verification.');
    expect(uploads).toHaveLength(1);
    expect(bff.variablesOf(UploadKycDocumentDocument).map((v) => (v.input as { uploadId: string }).uploadId)).toEqual([UPLOAD_ID, UPLOAD_ID]);
  });

  it.each<[string, FakeUploadAnswer, string]>([
    [
      'a file that is not what its name says',
      { status: 400, body: { errors: [{ message: 'Only JPEG, PNG and PDF files can be uploaded.', extensions: { code: 'BAD_USER_INPUT', field: 'file', reason: 'UNSUPPORTED_TYPE' } }] } },
      'Only JPEG, PNG and PDF files can be uploaded. This file is something else, whatever its name says.',
    ],
    ['a file the BFF finds too large', { status: 413, body: { errors: [{ message: 'A file can be at most 10 MB.', extensions: { code: 'REQUEST_TOO_LARGE' } }] } }, 'That file is larger than 10 MB.'],
    [
      'too many uploads',
      { status: 429, body: { errors: [{ message: 'At most 30 uploads an hour.', extensions: { code: 'RATE_LIMITED' } }] }, headers: { 'retry-after': '600' } },
      'You have uploaded many files in the last hour. Try again in 10 minutes.',
    ],
    ['an upload from another site', { status: 403, body: { errors: [{ message: 'CSRF', extensions: { code: 'FORBIDDEN', reason: 'CSRF' } }] } }, 'This upload was refused.'],
    ['a proxy error page', { status: 502, body: '<html>Bad gateway</html>' }, 'Meridian answered unexpectedly.'],
    ['a lost connection', 'network-error', 'We could not reach Meridian.'],
  ])('explains %s', async (_case, answer, message) => {
    const bff = createFakeBff();
    const { events, container } = setup(bff, () => answer);
    await choose(events, container, 'Passport', pdf());
    await send(events);
    expect((await screen.findByRole('alert')).textContent).toContain(message);
    expect(bff.variablesOf(UploadKycDocumentDocument)).toEqual([]);
  });

  it.each([
    ['CASE_NOT_EDITABLE', refusal('CONFLICT', 'Documents can be added only while the case is open.', { reason: 'CASE_NOT_EDITABLE' }), 'Documents can be added only while your verification is open for changes.'],
    ['an expired upload', refusal('NOT_FOUND', 'Upload not found.'), 'The upload has expired or could not be found.'],
    ['a selfie KYC finds is no photo', refusal('BAD_USER_INPUT', 'A selfie must be a JPEG or PNG photo.', { field: 'kind', reason: 'UNSUPPORTED_TYPE' }), 'A selfie must be a photo'],
  ])('explains an attachment refused with %s, and sends the file again next time', async (_case, answer, message) => {
    const bff = createFakeBff();
    bff.on(UploadKycDocumentDocument, answer);
    const { events, uploads, container } = setup(bff);
    await choose(events, container, 'Selfie', jpeg());
    await send(events);
    expect((await screen.findByRole('alert')).textContent).toContain(message);
    await send(events);
    await waitFor(() => expect(uploads).toHaveLength(2));
  });
});
