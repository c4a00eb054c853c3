// `npm run staff:create -- --email ada@bank.example --name "Ada Admin" --roles ADMIN`: adds a staff
// member to DATABASE_URL (or the embedded database when it is unset), applying identity's migrations
// first, so the first administrator of a fresh database can sign in and add the others with
// `createStaff`. The password comes from STAFF_PASSWORD or the first line of stdin — never from the
// command line, where shell history and the process list would keep it — and must pass identity's
// password policy. Audited as STAFF_CREATED.
// Exit codes: 0 created, 1 refused (weak password, taken email, bad roles), 2 wrong usage or no database.
import { randomUUID } from 'node:crypto';
import { closeDataSource, DomainError, initializeDataSource, loadBaseConfig, openDatabase, type Role } from '@meridian/platform';
import { createIdentityDataSource, StaffService } from '@meridian/identity';

/** Where the command reads and writes: the process, or a test's buffers. */
export interface StaffCreateIo {
  log(line: string): void;
  error(line: string): void;
  /** The password when STAFF_PASSWORD is unset: stdin's first line. */
  readStdin(): Promise<string>;
}

const ROLES: readonly Role[] = ['SUPPORT', 'COMPLIANCE', 'ADMIN'];
const USAGE = 'Usage: npm run staff:create -- --email <address> --name <display name> --roles ADMIN[,SUPPORT,COMPLIANCE] (password in STAFF_PASSWORD or on stdin)';

class UsageError extends Error {}

function parseArgs(args: string[]): { email: string; name: string; roles: Role[] } {
  const values: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const match = /^--([a-z-]+)(?:=(.*))?$/s.exec(args[i]);
    if (!match) throw new UsageError(`Unexpected argument ${JSON.stringify(args[i])}. ${USAGE}`);
    const [, key, inline] = match;
    if (key.startsWith('password')) throw new UsageError('Never give a password on the command line: set STAFF_PASSWORD or write it to stdin.');
    if (!['email', 'name', 'roles'].includes(key)) throw new UsageError(`Unknown option --${key}. ${USAGE}`);
    const value = inline ?? args[++i];
    if (value === undefined) throw new UsageError(`--${key} needs a value. ${USAGE}`);
    values[key] = value;
  }
  for (const key of ['email', 'name', 'roles']) if (!values[key]) throw new UsageError(`--${key} is required. ${USAGE}`);
  const roles = values.roles.split(',').map((role) => role.trim().toUpperCase());
  const unknown = roles.filter((role) => !ROLES.includes(role as Role));
  if (unknown.length) throw new UsageError(`Staff roles are ${ROLES.join(', ')}; not ${unknown.join(', ')}.`);
  return { email: values.email, name: values.name, roles: roles as Role[] };
}

/** Reads stdin to its end (a pipe or a redirected file), for the password. */
export async function readProcessStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Password (it will be shown; prefer STAFF_PASSWORD or a pipe): ');
  let text = '';
  for await (const chunk of process.stdin) {
    text += chunk;
    if (process.stdin.isTTY && text.includes('\n')) break;
  }
  return text;
}

/** Runs the command with `args` against `env`'s database; resolves with its exit code. */
export async function runStaffCreate(args: string[], io: StaffCreateIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let input: ReturnType<typeof parseArgs>;
  try {
    input = parseArgs(args);
  } catch (err) {
    io.error((err as Error).message);
    return 2;
  }
  const password = env.STAFF_PASSWORD || (await io.readStdin()).split(/\r?\n/)[0];
  if (!password) {
    io.error('No password: set STAFF_PASSWORD or write it to stdin.');
    return 2;
  }
  let database: Awaited<ReturnType<typeof openDatabase>>;
  try {
    database = await openDatabase(loadBaseConfig(env));
  } catch (err) {
    io.error((err as Error).message);
    return 2;
  }
  const dataSource = createIdentityDataSource(database.url, 1);
  try {
    await initializeDataSource(dataSource, true);
    const staff = new StaffService(dataSource);
    const origin = { ip: '', userAgent: 'meridian staff:create', requestId: `staff-create-${randomUUID()}` };
    const created = await staff.create(null, { email: input.email, displayName: input.name, roles: input.roles, password }, origin);
    io.log(`Created ${created.roles.join(', ')} staff member ${created.email} (${created.id}) in the ${database.kind} database.`);
    return 0;
  } catch (err) {
    if (!(err instanceof DomainError)) {
      io.error(err instanceof Error ? err.message : String(err));
      return 2;
    }
    const field = err.extensions.field ? ` (${String(err.extensions.field)})` : '';
    io.error(`Refused${field}: ${err.message}`);
    return 1;
  } finally {
    await closeDataSource(dataSource);
    await database.stop();
  }
}

if (require.main === module) {
  runStaffCreate(process.argv.slice(2), { log: console.log, error: console.error, readStdin: readProcessStdin }).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(2);
    },
  );
}
