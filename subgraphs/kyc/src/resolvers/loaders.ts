import type { SubgraphContext } from '@meridian/platform';
import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import type { CaseStore } from '../data/case-store';
import type { CaseEventRecord, DocumentRecord } from '../domain/verification-case';

/** One request's loaders: the documents and histories of a page of cases in one statement each. */
export interface KycLoaders {
  documents: DataLoader<string, DocumentRecord[]>;
  history: DataLoader<string, CaseEventRecord[]>;
}

// One set per request, keyed by the request's context object, so nothing is cached across users.
const perRequest = new WeakMap<SubgraphContext, KycLoaders>();

function grouped<T extends { caseId: string }>(ids: readonly string[], rows: T[]): T[][] {
  const byCase = new Map<string, T[]>(ids.map((id) => [id, []]));
  for (const row of rows) byCase.get(row.caseId)?.push(row);
  return ids.map((id) => byCase.get(id)!);
}

/** The request's loaders, created on first use. */
export function loadersFor(ctx: SubgraphContext, db: DataSource, cases: CaseStore): KycLoaders {
  let loaders = perRequest.get(ctx);
  if (!loaders) {
    loaders = {
      documents: new DataLoader(async (ids) => grouped(ids, await cases.documentsOf(db, ids)), { maxBatchSize: 200 }),
      history: new DataLoader(async (ids) => grouped(ids, await cases.eventsOf(db, ids)), { maxBatchSize: 200 }),
    };
    perRequest.set(ctx, loaders);
  }
  return loaders;
}
