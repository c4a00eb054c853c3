import { setSpanAttributes } from '@meridian/platform';
import type { DataSource } from 'typeorm';
import { onConnection } from '../data/sql-transaction';
import { accountIdsOf, isForecastable, runForecastBatch, runLedgerBatch, type LedgerCommand, type LedgerOutcome } from './batch';
import type { LedgerForecast } from './forecast';
import { readAccounts } from './reads';

/**
 * One try at a batch: on its first try, written on the forecast when the
 * batch is plain transfers and the forecast knows every account and the
 * head; otherwise in a transaction on what it locks. After any failure the
 * forecast of its accounts and of the head is forgotten, and the retry runs
 * on what it locks, however soon another batch teaches the forecast again:
 * a batch cannot be refused try after try by a process writing elsewhere.
 */
export async function attemptBatch(db: DataSource, forecast: LedgerForecast | undefined, commands: LedgerCommand[], onForecast: boolean): Promise<LedgerOutcome[]> {
  let resolve!: (committed: boolean) => void;
  const writer = { written: new Promise<boolean>((r) => (resolve = r)), ended: false };
  const settle = (committed: boolean) => {
    writer.ended = true;
    resolve(committed);
  };
  try {
    const outcomes = await onConnection(db, async (connection) => {
      if (forecast && onForecast && isForecastable(commands)) {
        const accountIds = accountIdsOf(commands);
        const unknown = forecast.unknown(accountIds);
        if (unknown.length > 0 && forecast.ready()) forecast.learn(await readAccounts(connection, unknown));
        // Assumed and planned in the same tick, so no other batch records in between.
        const assumed = forecast.assume(accountIds);
        const outcomes = assumed && (await runForecastBatch(connection, commands, assumed, forecast, writer));
        if (outcomes) {
          // One checked statement, committed as it ends.
          setSpanAttributes({ 'meridian.ledger.commit': 'forecast' });
          return outcomes;
        }
      }
      const outcomes = await connection.transaction((sql) => runLedgerBatch(sql, commands, forecast, writer));
      setSpanAttributes({ 'meridian.ledger.commit': 'transaction' });
      return outcomes;
    });
    settle(true);
    return outcomes;
  } catch (err) {
    settle(false);
    forecast?.forget(isForecastable(commands) ? accountIdsOf(commands) : undefined);
    throw err;
  }
}
