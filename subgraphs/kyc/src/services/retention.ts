import { createPeriodicWorker, type Logger, type ObjectStore, type ServerMetrics } from '@meridian/platform';
import type { DataSource } from 'typeorm';
import type { Row } from '@meridian/platform';

/** Options for {@link createDocumentRetentionWorker}. */
export interface DocumentRetentionOptions {
  db: DataSource;
  objects: ObjectStore;
  /** How long document images are kept after their case is decided. */
  retentionDays: number;
  logger?: Logger;
  metrics?: ServerMetrics;
  intervalMs?: number;
}

/**
 * Deletes the images of documents whose case was decided more than
 * `retentionDays` ago; the document row, the case and its decision stay (with
 * `deleted_at` set). Each row is taken with SKIP LOCKED, the object deleted,
 * then the row marked, so a crash in between only repeats a delete.
 */
export function createDocumentRetentionWorker(options: DocumentRetentionOptions) {
  async function run(): Promise<number> {
    let deleted = 0;
    for (;;) {
      const done = await options.db.transaction(async (m) => {
        const rows: Row[] = await m.query(
          `SELECT d.id, d.object_key FROM kyc.documents d JOIN kyc.cases c ON c.id = d.case_id
           WHERE d.deleted_at IS NULL AND c.decided_at IS NOT NULL AND c.decided_at < now() - make_interval(days => $1)
           ORDER BY c.decided_at LIMIT 100 FOR UPDATE OF d SKIP LOCKED`,
          [options.retentionDays],
        );
        for (const row of rows) {
          await options.objects.delete(row.object_key as string);
          await m.query(`UPDATE kyc.documents SET deleted_at = now() WHERE id = $1`, [row.id]);
        }
        return rows.length;
      });
      deleted += done;
      if (done < 100) break;
    }
    if (deleted > 0) options.logger?.info({ deleted, retentionDays: options.retentionDays }, 'document images past retention deleted');
    return deleted;
  }
  return createPeriodicWorker({ name: 'kyc-document-retention', run, intervalMs: options.intervalMs ?? 3_600_000, logger: options.logger, metrics: options.metrics });
}
