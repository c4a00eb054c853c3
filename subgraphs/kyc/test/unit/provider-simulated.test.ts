import { DomainError, type WebhookDelivery } from '@meridian/platform';
import {
  createSimulatedProvider,
  simulateCheckResult,
  simulatedCheckId,
  type SimulatedProvider,
  type SimulatedProviderOptions,
} from '../../src/providers/simulated-provider';
import { worstOutcome, type CheckKind, type CheckRequest, type CheckDocument } from '../../src/providers/verification-provider';
import { generateWebhookSecret, verifyWebhook } from '@meridian/platform';

const NOW = new Date('2026-06-01T12:00:00Z');
const ALL_KINDS: CheckKind[] = ['IDENTITY_DATABASE', 'DOCUMENT', 'FACE_MATCH', 'LIVENESS'];
const SECRET = generateWebhookSecret();

function document(kind: CheckDocument['kind']): CheckDocument {
  return { id: `doc_${kind.toLowerCase()}`, kind, contentType: 'image/jpeg', sha256: 'ab'.repeat(32), size: 1024 };
}

function checkRequest(overrides: Partial<CheckRequest> = {}, applicant: Partial<CheckRequest['applicant']> = {}): CheckRequest {
  return {
    checkId: 'chk_1',
    caseId: 'case_1',
    userId: 'user_1',
    kinds: ALL_KINDS,
    applicant: { legalName: 'Jane Doe', dateOfBirth: '1990-04-12', nationality: 'GB', ...applicant },
    documents: [document('PASSPORT'), document('SELFIE')],
    ...overrides,
  };
}

/** Each report as `KIND:OUTCOME:REASON,…`, for compact expectations. */
function summary(request: CheckRequest, today = NOW): string[] {
  return simulateCheckResult(request, today).reports.map((r) => `${r.kind}:${r.outcome}:${r.reasons.join(',')}`);
}

/** A promise with its resolve, for gating a delivery. */
function gate() {
  let open = () => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

/** Waits (up to two seconds) for `condition`; the limit only stops a broken test from hanging. */
async function waitUntil(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('Condition not met within 2 s.');
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

async function rejectionOf(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

const providers: SimulatedProvider[] = [];
afterEach(async () => {
  await Promise.all(providers.splice(0).map((provider) => provider.stop()));
});

/** A provider with a recording `deliver` that answers `statuses` in turn, then 200. */
function simulated(options: Partial<SimulatedProviderOptions> & { statuses?: number[] } = {}) {
  const deliveries: WebhookDelivery[] = [];
  const statuses = [...(options.statuses ?? [])];
  const warn = jest.fn<void, [object, string]>();
  const provider = createSimulatedProvider({
    secret: SECRET,
    delayMs: 5,
    now: () => NOW,
    logger: { warn },
    retry: { attempts: 3, baseMs: 1 },
    deliver: async (delivery) => {
      deliveries.push(delivery);
      return { status: statuses.shift() ?? 200 };
    },
    ...options,
  });
  providers.push(provider);
  return { provider, deliveries, warn };
}

describe('worstOutcome', () => {
  it('takes REJECTED over CONSIDER over CLEAR', () => {
    expect(worstOutcome(['CLEAR', 'CLEAR'])).toBe('CLEAR');
    expect(worstOutcome(['CLEAR', 'CONSIDER', 'CLEAR'])).toBe('CONSIDER');
    expect(worstOutcome(['CONSIDER', 'REJECTED', 'CLEAR'])).toBe('REJECTED');
  });

  it('refuses to call nothing CLEAR', () => {
    expect(() => worstOutcome([])).toThrow(RangeError);
  });
});

describe('simulated rules', () => {
  it('clears a complete request for an adult with an ordinary name', () => {
    const result = simulateCheckResult(checkRequest(), NOW);
    expect(result).toEqual({
      checkId: 'chk_1',
      providerCheckId: simulatedCheckId('chk_1'),
      outcome: 'CLEAR',
      reports: ALL_KINDS.map((kind) => ({ kind, outcome: 'CLEAR', reasons: [] })),
      completedAt: '2026-06-01T12:00:00.000Z',
    });
  });

  it('makes every report CONSIDER when the last name is Consider', () => {
    const request = checkRequest({}, { legalName: 'Jane Consider' });
    expect(summary(request)).toEqual([
      'IDENTITY_DATABASE:CONSIDER:DATA_MISMATCH',
      'DOCUMENT:CONSIDER:DATA_MISMATCH',
      'FACE_MATCH:CONSIDER:FACE_MISMATCH',
      'LIVENESS:CONSIDER:IMAGE_UNREADABLE',
    ]);
    expect(simulateCheckResult(request, NOW).outcome).toBe('CONSIDER');
  });

  it('rejects every report when the last name is Reject, in any case', () => {
    const request = checkRequest({}, { legalName: 'jane  REJECT ' });
    expect(summary(request)).toEqual([
      'IDENTITY_DATABASE:REJECTED:RECORD_NOT_FOUND',
      'DOCUMENT:REJECTED:DOCUMENT_TAMPERED',
      'FACE_MATCH:REJECTED:FACE_MISMATCH',
      'LIVENESS:REJECTED:SPOOF_DETECTED',
    ]);
    expect(simulateCheckResult(request, NOW).outcome).toBe('REJECTED');
  });

  it('looks only at the last word of the name', () => {
    expect(simulateCheckResult(checkRequest({}, { legalName: 'Reject Consider Smith' }), NOW).outcome).toBe('CLEAR');
  });

  it('rejects FACE_MATCH and LIVENESS without a selfie, whatever the name', () => {
    const request = checkRequest({ documents: [document('PASSPORT')] }, { legalName: 'Jane Consider' });
    expect(summary(request)).toEqual([
      'IDENTITY_DATABASE:CONSIDER:DATA_MISMATCH',
      'DOCUMENT:CONSIDER:DATA_MISMATCH',
      'FACE_MATCH:REJECTED:SELFIE_MISSING',
      'LIVENESS:REJECTED:SELFIE_MISSING',
    ]);
  });

  it('rejects DOCUMENT without an identity document; proof of address does not count', () => {
    const request = checkRequest({ kinds: ['DOCUMENT', 'IDENTITY_DATABASE'], documents: [document('PROOF_OF_ADDRESS'), document('SELFIE')] });
    expect(summary(request)).toEqual(['DOCUMENT:REJECTED:DOCUMENT_MISSING', 'IDENTITY_DATABASE:CLEAR:']);
  });

  it('accepts a national ID or a driving licence as the identity document', () => {
    for (const kind of ['NATIONAL_ID', 'DRIVING_LICENCE'] as const) {
      expect(summary(checkRequest({ kinds: ['DOCUMENT'], documents: [document(kind)] }))).toEqual(['DOCUMENT:CLEAR:']);
    }
  });

  it('flags IDENTITY_DATABASE as UNDERAGE until the 18th birthday (UTC)', () => {
    const kinds: CheckKind[] = ['IDENTITY_DATABASE'];
    expect(summary(checkRequest({ kinds }, { dateOfBirth: '2008-06-02' }))).toEqual(['IDENTITY_DATABASE:CONSIDER:UNDERAGE']);
    expect(summary(checkRequest({ kinds }, { dateOfBirth: '2008-06-01' }))).toEqual(['IDENTITY_DATABASE:CLEAR:']);
  });

  it('counts someone born on 29 February as 18 from 1 March in a common year', () => {
    const request = checkRequest({ kinds: ['IDENTITY_DATABASE'] }, { dateOfBirth: '2008-02-29' });
    expect(summary(request, new Date('2026-02-28T23:59:59Z'))).toEqual(['IDENTITY_DATABASE:CONSIDER:UNDERAGE']);
    expect(summary(request, new Date('2026-03-01T00:00:00Z'))).toEqual(['IDENTITY_DATABASE:CLEAR:']);
  });

  it('lists UNDERAGE next to DATA_MISMATCH and only on IDENTITY_DATABASE', () => {
    const request = checkRequest({ kinds: ['IDENTITY_DATABASE', 'DOCUMENT'] }, { legalName: 'Sam Consider', dateOfBirth: '2010-01-01' });
    expect(summary(request)).toEqual(['IDENTITY_DATABASE:CONSIDER:DATA_MISMATCH,UNDERAGE', 'DOCUMENT:CONSIDER:DATA_MISMATCH']);
  });
});

describe('createSimulatedProvider', () => {
  it('answers submit before delivering, then delivers a check.completed webhook that verifyWebhook accepts', async () => {
    const { provider, deliveries } = simulated();
    const { providerCheckId } = await provider.submit(checkRequest());
    expect(providerCheckId).toBe(simulatedCheckId('chk_1'));
    expect(providerCheckId).toMatch(/^sim_[0-9a-f]{64}$/);
    expect(deliveries).toHaveLength(0);
    expect(provider.pending()).toBe(1);

    await waitUntil(() => provider.pending() === 0);
    expect(deliveries).toHaveLength(1);
    const [{ headers, body }] = deliveries;
    expect(headers['content-type']).toBe('application/json');
    const verified = verifyWebhook([SECRET], headers, body, NOW);
    expect(verified.id).toMatch(/^msg_/);
    expect(verified.payload).toEqual({ type: 'check.completed', data: simulateCheckResult(checkRequest(), NOW) });
  });

  it('applies the rules to what it delivers', async () => {
    const { provider, deliveries } = simulated();
    await provider.submit(checkRequest({ checkId: 'chk_reject' }, { legalName: 'Ann Reject' }));
    await waitUntil(() => deliveries.length === 1);
    const { payload } = verifyWebhook([SECRET], deliveries[0].headers, deliveries[0].body, NOW);
    expect(payload).toMatchObject({ data: { checkId: 'chk_reject', outcome: 'REJECTED' } });
  });

  it('retries after a 500 with the same webhook-id, then stops once delivered', async () => {
    const { provider, deliveries, warn } = simulated({ statuses: [500] });
    await provider.submit(checkRequest());
    await waitUntil(() => provider.pending() === 0);
    expect(deliveries).toHaveLength(2);
    const [first, second] = deliveries.map((d) => verifyWebhook([SECRET], d.headers, d.body, NOW));
    expect(second.id).toBe(first.id);
    expect(second.payload).toEqual(first.payload);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toMatchObject({ checkId: 'chk_1', webhookId: first.id, attempt: 1 });
  });

  it('retries when deliver throws, a TypeError included', async () => {
    let calls = 0;
    const { provider } = simulated({
      deliver: async () => {
        calls += 1;
        if (calls === 1) throw new TypeError('socket hang up');
        return { status: 204 };
      },
    });
    await provider.submit(checkRequest());
    await waitUntil(() => provider.pending() === 0);
    expect(calls).toBe(2);
  });

  it('gives up quietly after the last attempt and logs it', async () => {
    const { provider, deliveries, warn } = simulated({ statuses: [500, 502, 503, 504] });
    await expect(provider.submit(checkRequest())).resolves.toEqual({ providerCheckId: simulatedCheckId('chk_1') });
    await waitUntil(() => provider.pending() === 0);
    expect(deliveries).toHaveLength(3);
    expect(new Set(deliveries.map((d) => d.headers['webhook-id'])).size).toBe(1);
    expect(warn).toHaveBeenCalledTimes(3);
    expect(warn.mock.calls[2]).toEqual([expect.objectContaining({ attempts: 3, err: expect.stringContaining('503') }), expect.stringMatching(/given up/)]);
  });

  it('gives the same providerCheckId for the same checkId and delivers once while it is pending', async () => {
    const { provider, deliveries } = simulated();
    const first = await provider.submit(checkRequest());
    const second = await provider.submit(checkRequest());
    expect(second).toEqual(first);
    expect(provider.pending()).toBe(1);
    await waitUntil(() => provider.pending() === 0);
    expect(deliveries).toHaveLength(1);
  });

  it('does not deliver again when the same checkId comes while its webhook is being sent', async () => {
    const held = gate();
    let calls = 0;
    const { provider } = simulated({
      deliver: async () => {
        calls += 1;
        await held.opened;
        return { status: 200 };
      },
    });
    const first = await provider.submit(checkRequest());
    await waitUntil(() => calls === 1);
    expect(await provider.submit(checkRequest())).toEqual(first);
    held.open();
    await waitUntil(() => provider.pending() === 0);
    expect(calls).toBe(1);
  });

  it('refuses a pending checkId submitted with other content', async () => {
    const { provider } = simulated();
    await provider.submit(checkRequest());
    const error = await rejectionOf(provider.submit(checkRequest({}, { legalName: 'Someone Else' })));
    expect(error.extensions).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', reason: 'CHECK_ID_REUSED' });
    expect(provider.pending()).toBe(1);
  });

  it('runs a delivered checkId again as a new message under the same providerCheckId', async () => {
    const { provider, deliveries } = simulated();
    const first = await provider.submit(checkRequest());
    await waitUntil(() => deliveries.length === 1);
    await waitUntil(() => provider.pending() === 0);
    expect(await provider.submit(checkRequest())).toEqual(first);
    await waitUntil(() => deliveries.length === 2);
    expect(deliveries[1].headers['webhook-id']).not.toBe(deliveries[0].headers['webhook-id']);
  });

  it.each([
    ['applicant.dateOfBirth', checkRequest({}, { dateOfBirth: '2001-02-29' })],
    ['applicant.dateOfBirth', checkRequest({}, { dateOfBirth: '2026-06-02' })],
    ['kinds', checkRequest({ kinds: [] })],
    ['kinds', checkRequest({ kinds: ['DOCUMENT', 'DOCUMENT'] })],
    ['checkId', checkRequest({ checkId: '  ' })],
    ['applicant.legalName', checkRequest({}, { legalName: '' })],
    ['documents.0.sha256', checkRequest({ documents: [{ ...document('PASSPORT'), sha256: 'abc' }] })],
  ])('refuses an invalid request naming %s, and schedules nothing', async (field, request) => {
    const { provider, deliveries } = simulated();
    const error = await rejectionOf(provider.submit(request));
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'CHECK_REQUEST_INVALID', field });
    expect(provider.pending()).toBe(0);
    expect(deliveries).toHaveLength(0);
  });

  it('stop() cancels scheduled checks so nothing is delivered, and refuses new ones', async () => {
    const { provider, deliveries } = simulated();
    await provider.submit(checkRequest());
    await provider.stop();
    expect(provider.pending()).toBe(0);
    // Ten times the delay: a timer that stop() missed would have fired by now.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(deliveries).toHaveLength(0);
    const error = await rejectionOf(provider.submit(checkRequest({ checkId: 'chk_2' })));
    expect(error.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', reason: 'PROVIDER_STOPPED' });
  });

  it('stop() waits for a delivery under way to finish', async () => {
    const held = gate();
    let calls = 0;
    const { provider, warn } = simulated({
      deliver: async () => {
        calls += 1;
        await held.opened;
        return { status: 200 };
      },
    });
    await provider.submit(checkRequest());
    await waitUntil(() => calls === 1);
    let stopped = false;
    const stopping = provider.stop().then(() => (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    held.open();
    await stopping;
    expect(stopped).toBe(true);
    expect(provider.pending()).toBe(0);
    expect(warn).not.toHaveBeenCalled();
  });

  it('stop() ends a retry backoff without another attempt or a give-up warning', async () => {
    const { provider, deliveries, warn } = simulated({ statuses: [500], retry: { attempts: 2, baseMs: 60_000 } });
    await provider.submit(checkRequest());
    await waitUntil(() => deliveries.length === 1);
    await provider.stop();
    expect(provider.pending()).toBe(0);
    expect(deliveries).toHaveLength(1);
    expect(warn.mock.calls.map(([, message]) => message)).not.toContainEqual(expect.stringMatching(/given up/));
  });
});
