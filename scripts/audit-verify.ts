// `npm run audit:verify`: walks every hash-chained audit log against DATABASE_URL, or the
// embedded database when it is unset, recomputing every hash, and prints each log's head or
// its first broken entry. The logs: identity.audit_events (sign-ins, MFA, sessions, keys, roles,
// staff lookups), kyc.audit_log and payments.staff_audit (staff reads with their reasons, and
// decisions), banking.access_audit (staff reads of accounts).
// Exit codes: 0 every log verified, 1 a log is broken, 2 could not verify (a log missing, bad
// option, database error).
// Options: --json prints the reports as JSON; --batch-size=N entries per round trip;
// --max-unsealed-age=S seconds an entry may wait to be chained (default 300); --log=TABLE
// (repeatable) verifies only those logs; --anchor=TABLE:SEQ:HASH (repeatable) a head printed by
// an earlier run, which must still hold.
import {
  closeDataSource,
  createDataSource,
  loadBaseConfig,
  openDatabase,
  verifyAuditLog,
  type AuditChainAnchor,
  type AuditChainReport,
  type ChainedAuditLog,
} from '@meridian/platform';
import { BANKING_ACCESS_AUDIT_LOG } from '@meridian/banking';
import { IDENTITY_AUDIT_LOG } from '@meridian/identity';
import { KYC_AUDIT_LOG } from '@meridian/kyc';
import { PAYMENTS_STAFF_AUDIT_LOG } from '@meridian/payments';

/** Every chained audit log, in the order they are verified and printed. */
export const AUDIT_LOGS: readonly ChainedAuditLog[] = [IDENTITY_AUDIT_LOG, KYC_AUDIT_LOG, PAYMENTS_STAFF_AUDIT_LOG, BANKING_ACCESS_AUDIT_LOG];

const NAMES = AUDIT_LOGS.map((log) => log.table).join(', ');

function option(args: string[], name: string): number | undefined {
  const arg = args.find((a) => a.startsWith(`--${name}=`));
  if (arg === undefined) return undefined;
  const value = Number(arg.slice(name.length + 3));
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} takes a whole number, not ${arg.slice(name.length + 3)}`);
  return value;
}

function logOf(table: string): ChainedAuditLog {
  const log = AUDIT_LOGS.find((l) => l.table === table);
  if (!log) throw new Error(`There is no audit log ${table}; the logs are ${NAMES}.`);
  return log;
}

function anchors(args: string[]): Map<string, AuditChainAnchor[]> {
  const byLog = new Map<string, AuditChainAnchor[]>();
  for (const arg of args.filter((a) => a.startsWith('--anchor='))) {
    const match = /^--anchor=([a-z_]+\.[a-z_]+):(\d+):([0-9a-fA-F]{64})$/.exec(arg);
    if (!match) throw new Error(`--anchor takes TABLE:SEQ:HASH (e.g. identity.audit_events:42:<64 hex digits>), not ${arg.slice('--anchor='.length)}`);
    const table = logOf(match[1]).table;
    byLog.set(table, [...(byLog.get(table) ?? []), { seq: BigInt(match[2]), hash: match[3].toLowerCase() }]);
  }
  return byLog;
}

/** Where the command writes: stdout and stderr, or a test's buffers. */
export interface AuditVerifyOutput {
  log(line: string): void;
  error(line: string): void;
}

/** What the command found for one log: its report, or that the database has no such chained log. */
type Outcome = AuditChainReport | { log: string; missing: true };

function printReport(report: AuditChainReport, out: AuditVerifyOutput): void {
  const waiting = report.unsealed.count === 0 ? 'none' : `${report.unsealed.count}, the oldest ${report.unsealed.oldestId} for ${report.unsealed.oldestAgeSeconds} s`;
  if (report.ok) {
    out.log(`${report.log}: verified, ${report.entries} chained entries in ${report.durationMs} ms.`);
    out.log(`  head     seq ${report.head.seq}, hash ${report.head.hash}`);
    out.log(`  waiting  ${waiting}`);
    return;
  }
  const b = report.broken!;
  out.log(`${report.log}: BROKEN (${b.kind}): ${b.message}`);
  out.log(`  at       ${[b.seq !== null && `seq ${b.seq}`, b.id !== null && `entry id ${b.id}`, `field ${b.field}`].filter(Boolean).join(', ')}`);
  out.log(`  expected ${b.expected}`);
  out.log(`  found    ${b.found}`);
  out.log(`  checked  ${report.entries} entries before it; the last that held: seq ${report.head.seq}, hash ${report.head.hash}`);
}

/** Runs the command with `args` against `env`'s database; resolves with its exit code (0 verified, 1 broken, 2 could not verify). */
export async function runAuditVerify(args: string[], out: AuditVerifyOutput = console, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  try {
    return await verify(args, out, env);
  } catch (err) {
    out.error(err instanceof Error ? err.message : String(err));
    return 2;
  }
}

const KNOWN = /^--(json|batch-size=.*|max-unsealed-age=.*|log=.*|anchor=.*)$/;

async function verify(args: string[], out: AuditVerifyOutput, env: NodeJS.ProcessEnv): Promise<number> {
  const unknown = args.find((a) => !KNOWN.test(a));
  if (unknown !== undefined) {
    throw new Error(`Unknown option ${unknown}; the options are --json, --batch-size=N, --max-unsealed-age=S, --log=TABLE and --anchor=TABLE:SEQ:HASH.`);
  }
  const batchSize = option(args, 'batch-size');
  if (batchSize === 0) throw new Error('--batch-size must be at least 1');
  const maxUnsealedAgeSeconds = option(args, 'max-unsealed-age');
  const chosen = args.filter((a) => a.startsWith('--log=')).map((a) => logOf(a.slice('--log='.length)));
  const logs = chosen.length > 0 ? AUDIT_LOGS.filter((log) => chosen.includes(log)) : AUDIT_LOGS;
  const anchored = anchors(args);
  const config = loadBaseConfig(env);
  const database = await openDatabase(config);
  const dataSource = createDataSource({ url: database.url, schema: 'public', entities: [], migrations: [], poolSize: 1 });
  try {
    // Only connects: verifying never creates, migrates or seals anything.
    await dataSource.initialize();
    const outcomes: Outcome[] = [];
    for (const log of logs) {
      const [schema, table] = log.table.split('.');
      const [{ chained }] = await dataSource.query(
        `SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 AND column_name = 'hash') AS chained`,
        [schema, table],
      );
      outcomes.push(chained ? await verifyAuditLog(dataSource, log, { batchSize, maxUnsealedAgeSeconds, anchors: anchored.get(log.table) ?? [] }) : { log: log.table, missing: true });
    }
    const missing = outcomes.filter((o): o is { log: string; missing: true } => 'missing' in o);
    const reports = outcomes.filter((o): o is AuditChainReport => !('missing' in o));
    if (args.includes('--json')) {
      out.log(JSON.stringify({ ok: missing.length === 0 && reports.every((r) => r.ok), logs: outcomes }, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value), 2));
    } else {
      for (const outcome of outcomes) {
        if ('missing' in outcome) out.log(`${outcome.log}: not in this database (${database.kind}); start Meridian or run its migrations first.`);
        else printReport(outcome, out);
      }
    }
    if (reports.some((r) => !r.ok)) return 1;
    if (missing.length > 0) {
      out.error(`Could not verify ${missing.map((m) => m.log).join(', ')}: no hash-chained log there.`);
      return 2;
    }
    return 0;
  } finally {
    await closeDataSource(dataSource);
    await database.stop();
  }
}

if (require.main === module) {
  void runAuditVerify(process.argv.slice(2)).then((code) => process.exit(code));
}
