// The options of `npm run bench:gateway` (bench/gateway.ts describes them).
import { SCENARIOS, type Scenario } from './gateway-report';
import type { Target } from './gateway-server';

/** Every target, in the order they run. */
export const TARGETS: readonly Target[] = ['apollo-gateway', 'hive', 'hive-no-merge', 'bff-mobile', 'bff-mobile-no-cache', 'bff-mobile-engine', 'bff-web'];

/** What one run measures, and where its results go. */
export interface Options {
  seconds: number;
  warmup: number;
  runs: number;
  scenarios: Scenario[];
  targets: Target[];
  users: number;
  logLevel: string;
  profile: Target[];
  write: boolean;
  /** Added to the results' file names: gateway-<date>-<label>. */
  label?: string;
  /** Profiles' summaries go to bench/results too (not for --quick or --no-write). */
  writeProfiles: boolean;
}

/** The options from the command line. Throws on one it cannot read. */
export function parseOptions(argv: string[]): Options {
  const get = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const quick = argv.includes('--quick');
  const profile = (get('cpu-prof')?.split(',') ?? []) as Target[];
  const users = Number(get('users') ?? 500);
  const names = get('scenarios')?.split(',') ?? SCENARIOS.map((s) => s.name);
  const options: Options = {
    seconds: Number(get('seconds') ?? (quick ? 3 : 10)),
    warmup: Number(get('warmup') ?? (quick ? 1 : 5)),
    runs: Number(get('runs') ?? (quick ? 1 : 3)),
    scenarios: names.map((name) => {
      const scenario = SCENARIOS.find((s) => s.name === name);
      if (!scenario) throw new Error(`--scenarios is a list of ${SCENARIOS.map((s) => s.name).join(', ')}`);
      return scenario.users > 1 ? { ...scenario, users, description: scenario.description.replace('500', String(users)) } : scenario;
    }),
    targets: (get('targets')?.split(',') ?? TARGETS) as Target[],
    users,
    logLevel: get('log-level') ?? 'info',
    profile,
    write: !argv.includes('--no-write') && !quick && profile.length === 0,
    label: get('label'),
    writeProfiles: !argv.includes('--no-write') && !quick,
  };
  if (options.label !== undefined && !/^[a-z0-9-]{1,40}$/.test(options.label)) throw new Error('--label is up to 40 lower-case letters, digits and dashes');
  if (!(options.seconds > 0) || !(options.warmup >= 0)) throw new Error('--seconds must be positive and --warmup not negative');
  if (!Number.isInteger(options.runs) || options.runs < 1) throw new Error('--runs is a positive integer');
  if (!Number.isInteger(users) || users < 2) throw new Error('--users is an integer of at least 2');
  if (options.targets.length === 0 || options.targets.some((t) => !TARGETS.includes(t))) throw new Error(`--targets is a list of ${TARGETS.join(', ')}`);
  return options;
}
