// Every test file runs with quiet logs and its own DATA_DIR so keys and
// embedded files never touch the developer's `.data/`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

process.env.NODE_ENV = process.env.NODE_ENV === 'production' ? 'production' : 'test';
process.env.LOG_LEVEL ??= 'silent';
if (!process.env.MERIDIAN_TEST_DATA_DIR) {
  process.env.MERIDIAN_TEST_DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), `meridian-test-${process.env.JEST_WORKER_ID ?? 0}-`));
}
process.env.DATA_DIR = process.env.MERIDIAN_TEST_DATA_DIR;
// Rate-limit keys of each test file apart from every other file and run on a shared Redis.
process.env.RATE_LIMIT_KEY_PREFIX = `test:${Math.random().toString(36).slice(2)}:`;
// And its streams, consumer groups, revocations and caches: parallel stacks never take each other's events.
process.env.REDIS_KEY_PREFIX = `test:${Math.random().toString(36).slice(2)}:`;
// A Redis command's deadline: production's 500 ms is met by an idle Redis, not by one shared with a
// busy test run (Chromium, many stacks). The outage tests set their own short one.
process.env.REDIS_COMMAND_TIMEOUT_MS ??= '2000';
// Background workers (identity: audit sealer; ledger: outbox relay, expiry sweeper; KYC: outbox, dispatch, re-screening, retention; insights: event consumers, alert rules) run only where a test starts them.
process.env.IDENTITY_WORKERS ??= 'false';
process.env.LEDGER_WORKERS ??= 'false';
process.env.KYC_WORKERS ??= 'false';
process.env.PAYMENTS_WORKERS ??= 'false';
process.env.INSIGHTS_WORKERS ??= 'false';
// Personal-data keys of this test file's own; the generated-key path has a test of its own.
if (!process.env.DATA_PROTECTION_KEYS) {
  process.env.DATA_PROTECTION_KEYS = JSON.stringify({
    masterKeys: [{ kid: `mk-test-${process.env.JEST_WORKER_ID ?? 0}`, k: randomBytes(32).toString('base64url') }],
    blindIndexKey: randomBytes(32).toString('base64url'),
  });
}
