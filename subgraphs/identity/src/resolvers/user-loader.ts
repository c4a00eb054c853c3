import type { SubgraphContext } from '@meridian/platform';
import DataLoader from 'dataloader';
import type { UserRecord } from '../domain/user';
import type { AccountService } from '../services/account-service';

// One loader per request, keyed by the request's context object, so a batch of `_entities`
// representations from the gateway becomes one query and nothing is cached across users.
const loaders = new WeakMap<SubgraphContext, DataLoader<string, UserRecord | null>>();

/** The request's user loader: batches and de-duplicates look-ups by id. */
export function userLoader(ctx: SubgraphContext, accounts: AccountService): DataLoader<string, UserRecord | null> {
  let loader = loaders.get(ctx);
  if (!loader) {
    loader = new DataLoader((ids: readonly string[]) => accounts.findByIds(ids), { maxBatchSize: 500 });
    loaders.set(ctx, loader);
  }
  return loader;
}
