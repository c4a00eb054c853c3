import { SpanStatusCode, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createLogger, DomainError, ErrorCode, maskAttributes, maskPersonalData, useLogDestination, withSpan } from '@meridian/platform';
import { startTestTelemetry } from '@meridian/platform/testing';
import { redisStatement } from '../../src/telemetry/instrumentations';
import { MaskingSpanExporter } from '../../src/telemetry/masking-span-exporter';

describe('maskPersonalData', () => {
  it.each([
    ['no customer has the email jane.doe+bank@example.co.uk', 'no customer has the email [email]'],
    ['card 4242 4242 4242 4242 declined', 'card ************4242 declined'],
    ['card 4000056655665556', 'card ************5556'],
    ['account 31926819 at 60-16-13', 'account ****6819 at 60-16-13'],
    ['Meridian account 0000000012349', 'Meridian account *********2349'],
    ['call +447700900123', 'call +********0123'],
  ])('masks %j', (text, masked) => {
    expect(maskPersonalData(text)).toBe(masked);
  });

  it.each([
    'transfer 0191e2b4-1234-7abc-8def-012345678901',
    'transfer 12345678-1234-4abc-8def-0123456789ab',
    'at 2026-01-15T10:00:00.000Z',
    'on 2026-01-15',
    'amount 12345.67',
    'SELECT id FROM banking.transfers WHERE seq > $1 LIMIT $2',
    'port 54321',
  ])('leaves %j alone', (text) => {
    expect(maskPersonalData(text)).toBe(text);
  });

  it('redacts attributes named for personal data whatever they hold, and masks the rest by shape', () => {
    expect(
      maskAttributes({
        'user.email': 'not-an-address',
        'enduser.display_name': 'Ada Lovelace',
        'payee.account_number': '1',
        'exception.message': 'duplicate key (email)=(ada@example.com)',
        'http.response.status_code': 200,
        tags: ['ada@example.com', 'plain'],
      }),
    ).toEqual({
      'user.email': '[redacted]',
      'enduser.display_name': '[redacted]',
      'payee.account_number': '[redacted]',
      'exception.message': 'duplicate key (email)=([email])',
      'http.response.status_code': 200,
      tags: ['[email]', 'plain'],
    });
  });
});

describe('redisStatement', () => {
  it('shows a command and its first key, never a value or a script', () => {
    expect(redisStatement('SET', ['cache:user-1:abc', '{"data":{"me":{"email":"ada@example.com"}}}', 'PX', '60000'])).toBe('SET cache:user-1:abc [3 more]');
    expect(redisStatement('GET', ['cache:user-1:abc'])).toBe('GET cache:user-1:abc');
    expect(redisStatement('EVALSHA', ['5f1e…', '1', 'limit:user:1', '10', '60000'])).toBe('EVALSHA limit:user:1 [2 more]');
    expect(redisStatement('EVAL', ['return redis.call("PING")', '0'])).toBe('EVAL [2 more]');
    expect(redisStatement('PING', [])).toBe('PING');
  });
});

describe('MaskingSpanExporter', () => {
  it('exports spans with personal data masked, a refusal’s message (which may quote a name) replaced by its code', () => {
    const exporter = new InMemorySpanExporter();
    const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new MaskingSpanExporter(exporter))] }).getTracer('test');
    const span = tracer.startSpan('lookup ada@example.com', { attributes: { 'url.full': 'http://identity/users?email=ada@example.com' } });
    const refusal = new DomainError(ErrorCode.BAD_USER_INPUT, 'Ada Lovelace has no account that receives EUR.');
    span.recordException(refusal);
    span.setStatus({ code: SpanStatusCode.ERROR, message: refusal.message });
    span.recordException(new Error('card 4242424242424242 failed'));
    span.end();
    const [exported] = exporter.getFinishedSpans();
    expect(exported.name).toBe('lookup [email]');
    expect(exported.attributes['url.full']).toBe('http://identity/users?email=[email]');
    expect(exported.status).toEqual({ code: SpanStatusCode.ERROR, message: 'BAD_USER_INPUT' });
    expect(exported.events.map((e) => e.attributes?.['exception.message'])).toEqual(['BAD_USER_INPUT', 'card ************4242 failed']);
    expect(JSON.stringify(exported.events)).not.toContain('Ada Lovelace');
    // The span's own context, timing and parent are the original's.
    expect(exported.spanContext()).toEqual(span.spanContext());
  });
});

describe('withSpan', () => {
  it('only calls the function when tracing is off', async () => {
    const seen: boolean[] = [];
    await expect(withSpan('off', {}, async (span) => (seen.push(span.isRecording()), 'done'))).resolves.toBe('done');
    expect(seen).toEqual([false]);
    expect(trace.getActiveSpan()).toBeUndefined();
  });

  it('marks a failure as an error and records a refusal by its code only', async () => {
    const telemetry = startTestTelemetry();
    try {
      await expect(withSpan('fails', {}, async () => Promise.reject(new Error('lost connection')))).rejects.toThrow('lost connection');
      await expect(withSpan('refused', {}, async () => Promise.reject(new DomainError(ErrorCode.RATE_LIMITED, 'slow down')))).rejects.toThrow('slow down');
      await withSpan('outer', { step: 1 }, async () => withSpan('inner', {}, async () => undefined));
      const byName = Object.fromEntries(telemetry.spans().map((s) => [s.name, s]));
      expect(byName.fails.status.code).toBe(SpanStatusCode.ERROR);
      expect(byName.refused.status.code).toBe(SpanStatusCode.UNSET);
      expect(byName.refused.attributes['meridian.error.code']).toBe('RATE_LIMITED');
      expect(byName.inner.parentSpanContext?.spanId).toBe(byName.outer.spanContext().spanId);
    } finally {
      await telemetry.stop();
    }
  });
});

describe('log lines', () => {
  it('carry the active span’s trace and span ids, with personal data redacted by name and masked by shape', async () => {
    const lines: string[] = [];
    const restore = useLogDestination({ write: (line: string) => void lines.push(line) });
    const telemetry = startTestTelemetry();
    try {
      const logger = createLogger({ service: 'log-test', level: 'info', pretty: false });
      logger.info({ email: 'ada@example.com', displayName: 'Ada Lovelace' }, 'outside');
      let ids: { traceId: string; spanId: string } | undefined;
      await withSpan('inside', {}, async (span) => {
        ids = span.spanContext();
        logger.warn({ err: new Error('no user has the email ada@example.com, card 4242424242424242') }, 'lookup failed');
      });
      const [outside, inside] = lines.map((line) => JSON.parse(line) as Record<string, any>);
      expect(outside).toMatchObject({ msg: 'outside', email: '[redacted]', displayName: '[redacted]' });
      expect(outside.trace_id).toBeUndefined();
      expect(inside).toMatchObject({ msg: 'lookup failed', trace_id: ids!.traceId, span_id: ids!.spanId });
      expect(inside.err.message).toBe('no user has the email [email], card ************4242');
      expect(lines.join('')).not.toMatch(/ada@example\.com|Ada Lovelace|4242424242424242/);
      // The time, a number, is left as it is.
      expect(typeof inside.time).toBe('number');
    } finally {
      restore();
      await telemetry.stop();
    }
  });
});
