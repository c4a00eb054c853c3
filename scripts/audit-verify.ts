// `npm run audit:verify`: walks identity's hash-chained audit log against DATABASE_URL,
// or the embedded database when it is unset, recomputing every hash, and prints the
// head or the first broken entry.
// Exit codes: 0 verified, 1 broken, 2 could not verify (no audit log, bad option, database error).
// Options: --json prints the report as JSON; --batch-size=N entries per round trip;
// --max-unsealed-age=S seconds an entry may wait to be chained (default 300);
// --anchor=SEQ:HASH (repeatable) a head printed by an earlier run, which must still hold.
import { closeDataSource, loadBaseConfig, openDatabase } from '@meridian/platform';
import { createIdentityDataSource, verifyAuditChain, type AuditChainAnchor, type AuditChainReport } from '@meridian/identity';

function option(args: string[], name: string): number | undefined {
  const arg = args.find((a) => a.startsWith(`--${name}=`));
  if (arg === undefined) return undefined;
  const value = Number(arg.slice(name.length + 3));
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} takes a whole number, not ${arg.slice(name.length + 3)}`);
  return value;
}

function anchors(args: string[]): AuditChainAnchor[] {
  return args
    .filter((a) => a.startsWith('--anchor='))
    .map((a) => {
      const match = /^--anchor=(\d+):([0-9a-fA-F]{64})$/.exec(a);
      if (!match) throw new Error(`--anchor takes SEQ:HASH (a 64-digit hex hash), not ${a.slice('--anchor='.length)}`);
      return { seq: BigInt(match[1]), hash: match[2].toLowerCase() };
    });
}

/** Where the command writes: stdout and stderr, or a test's buffers. */
export interface AuditVerifyOutput {
  log(line: string): void;
  error(line: string): void;
}

function printReport(report: AuditChainReport, out: AuditVerifyOutput): void {
  const waiting = report.unsealed.count === 0 ? 'none' : `${report.unsealed.count}, the oldest ${report.unsealed.oldestId} for ${report.unsealed.oldestAgeSeconds} s`;
  if (report.ok) {
    out.log(`Audit log verified: ${report.entries} chained entries in ${report.durationMs} ms.`);
    out.log(`Head: seq ${report.head.seq}, hash ${report.head.hash}`);
    out.log(`Waiting to be chained: ${waiting}`);
    return;
  }
  const b = report.broken!;
  out.log(`BROKEN (${b.kind}): ${b.message}`);
  out.log(`  at       ${[b.seq !== null && `seq ${b.seq}`, b.id !== null && `entry id ${b.id}`, `field ${b.field}`].filter(Boolean).join(', ')}`);
  out.log(`  expected ${b.expected}`);
  out.log(`  found    ${b.found}`);
  out.log(`Checked ${report.entries} entries before it; the last that held: seq ${report.head.seq}, hash ${report.head.hash}`);
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

const KNOWN = /^--(json|batch-size=.*|max-unsealed-age=.*|anchor=.*)$/;

async function verify(args: string[], out: AuditVerifyOutput, env: NodeJS.ProcessEnv): Promise<number> {
  const unknown = args.find((a) => !KNOWN.test(a));
  if (unknown !== undefined) throw new Error(`Unknown option ${unknown}; the options are --json, --batch-size=N, --max-unsealed-age=S and --anchor=SEQ:HASH.`);
  const options = { batchSize: option(args, 'batch-size'), maxUnsealedAgeSeconds: option(args, 'max-unsealed-age'), anchors: anchors(args) };
  if (options.batchSize === 0) throw new Error('--batch-size must be at least 1');
  const config = loadBaseConfig(env);
  const database = await openDatabase(config);
  const dataSource = createIdentityDataSource(database.url, 1);
  try {
    // Only connects: verifying never creates, migrates or seals anything.
    await dataSource.initialize();
    const [{ chained }] = await dataSource.query(
      `SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = 'identity' AND table_name = 'audit_events' AND column_name = 'hash') AS chained`,
    );
    if (!chained) {
      out.error(`No hash-chained identity audit log in this database (${database.kind}); start Meridian or run its migrations first.`);
      return 2;
    }
    const report = await verifyAuditChain(dataSource, options);
    if (args.includes('--json')) {
      out.log(JSON.stringify(report, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value), 2));
    } else {
      printReport(report, out);
    }
    return report.ok ? 0 : 1;
  } finally {
    await closeDataSource(dataSource);
    await database.stop();
  }
}

if (require.main === module) {
  void runAuditVerify(process.argv.slice(2)).then((code) => process.exit(code));
}
