import { createPeriodicWorker, type Logger, type ServerMetrics } from '@meridian/platform';
import type { DataSource } from 'typeorm';
import type { Queryable, Row } from '@meridian/platform';
import type { StoredScreening } from '../domain/screening-record';
import { createScreener, type SanctionsEntry, type SanctionsList, type Screener, type ScreeningSubject } from '../screening';

/** What a load did. */
export interface LoadedList {
  version: string;
  source: string;
  entryCount: number;
  /** False when this version was already the active one. */
  activated: boolean;
}

/**
 * The sanctions lists in `kyc.sanctions_lists`, one of them active, and a
 * screener built from the active one. Every KYC process reads the active
 * version from the database, so a list loaded anywhere (the CLI, another
 * pod) is used everywhere within one refresh.
 */
export class SanctionsLists {
  private current: Screener | undefined;
  private checkedAt = 0;
  private loading: Promise<Screener | undefined> | undefined;

  constructor(
    private readonly db: DataSource,
    private readonly options: { threshold?: number; refreshMs?: number; logger?: Logger } = {},
  ) {}

  /** Stores `list` and makes it the active one; re-screening follows (see {@link createRescreenWorker}). */
  async load(list: SanctionsList): Promise<LoadedList> {
    const activated = await this.db.transaction(async (m) => {
      const active: Row[] = await m.query(`SELECT version FROM kyc.sanctions_lists WHERE active FOR UPDATE`);
      if (active[0]?.version === list.version) return false;
      await m.query(
        `INSERT INTO kyc.sanctions_lists (version, source, entry_count, entries) VALUES ($1, $2, $3, $4::jsonb)
         ON CONFLICT (version) DO NOTHING`,
        [list.version, list.source, list.entries.length, JSON.stringify(list.entries)],
      );
      await m.query(`UPDATE kyc.sanctions_lists SET active = false WHERE active`);
      await m.query(`UPDATE kyc.sanctions_lists SET active = true, loaded_at = now() WHERE version = $1`, [list.version]);
      return true;
    });
    this.checkedAt = 0;
    this.options.logger?.info({ version: list.version, entries: list.entries.length, source: list.source, activated }, 'sanctions list loaded');
    return { version: list.version, source: list.source, entryCount: list.entries.length, activated };
  }

  /** Whether any list has been loaded. */
  async hasActive(q: Queryable = this.db): Promise<boolean> {
    const rows: Row[] = await q.query(`SELECT 1 FROM kyc.sanctions_lists WHERE active`);
    return rows.length > 0;
  }

  /** The screener of the active list (rebuilt when another version became active), or undefined when none is loaded. */
  async screener(): Promise<Screener | undefined> {
    const refreshMs = this.options.refreshMs ?? 5_000;
    if (this.current && Date.now() - this.checkedAt < refreshMs) return this.current;
    this.loading ??= this.refresh().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async refresh(): Promise<Screener | undefined> {
    const rows: Row[] = await this.db.query(`SELECT version FROM kyc.sanctions_lists WHERE active`);
    const version = rows[0]?.version as string | undefined;
    if (version && version !== this.current?.listVersion) {
      const [row]: Row[] = await this.db.query(`SELECT source, entries FROM kyc.sanctions_lists WHERE version = $1`, [version]);
      const list: SanctionsList = { version, source: row.source as string, entries: row.entries as SanctionsEntry[] };
      this.current = createScreener(list, { threshold: this.options.threshold });
    }
    if (!version) this.current = undefined;
    this.checkedAt = Date.now();
    return this.current;
  }

  /**
   * Screens a person with `screener` (from {@link screener}, taken before any
   * transaction); entries in `cleared` (found by an officer not to be this
   * person) are left out. Without a list the outcome is
   * UNAVAILABLE, which sends a case to review, never to approval.
   */
  screen(screener: Screener | undefined, subject: ScreeningSubject, cleared: readonly string[] = []): StoredScreening {
    const screenedAt = new Date().toISOString();
    if (!screener) return { outcome: 'UNAVAILABLE', listVersion: null, matches: [], screenedAt };
    const result = screener.screen(subject);
    const matches = result.matches.filter((m) => !cleared.includes(m.uid));
    return {
      outcome: matches.length > 0 ? 'POSSIBLE_MATCH' : 'CLEAR',
      listVersion: result.listVersion,
      matches: matches.map((m) => ({ uid: m.uid, listedName: m.listedName, matchedName: m.matchedName, score: m.score, programs: m.programs, reasons: m.reasons })),
      screenedAt,
    };
  }
}

/** Options for {@link createRescreenWorker}. */
export interface RescreenWorkerOptions {
  lists: SanctionsLists;
  /** Screens one customer (its profile row locked by `q`'s transaction) and acts on a new possible match. */
  rescreen: (q: Queryable, userId: string, screener: Screener) => Promise<void>;
  db: DataSource;
  logger?: Logger;
  metrics?: ServerMetrics;
  intervalMs?: number;
  batchSize?: number;
}

/**
 * Re-screens every customer with personal data whose last screening was
 * against another list version, in batches, until none is left. Several
 * processes share the work: each batch takes its rows with SKIP LOCKED.
 */
export function createRescreenWorker(options: RescreenWorkerOptions) {
  const batchSize = options.batchSize ?? 50;
  async function run(): Promise<number> {
    const screener = await options.lists.screener();
    if (!screener) return 0;
    let total = 0;
    for (;;) {
      const done = await options.db.transaction(async (m) => {
        const rows: Row[] = await m.query(
          `SELECT user_id FROM kyc.profiles
           WHERE legal_name IS NOT NULL AND screened_list_version IS DISTINCT FROM $1
           ORDER BY user_id LIMIT $2 FOR UPDATE SKIP LOCKED`,
          [screener.listVersion, batchSize],
        );
        for (const row of rows) await options.rescreen(m, row.user_id as string, screener);
        return rows.length;
      });
      total += done;
      if (done < batchSize) break;
    }
    if (total > 0) options.logger?.info({ customers: total, listVersion: screener.listVersion }, 're-screened against the active sanctions list');
    return total;
  }
  return createPeriodicWorker({ name: 'sanctions-rescreen', run, intervalMs: options.intervalMs ?? 10_000, logger: options.logger, metrics: options.metrics });
}
