import type { Resolvers } from '../__generated__/resolvers-types';

const isFieldMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;

/** One resolver map from several, type by type. A field resolved twice, or a scalar given twice, is a mistake: it throws at start-up. */
export function mergeResolvers(...maps: Resolvers[]): Resolvers {
  const merged: Record<string, unknown> = {};
  for (const map of maps) {
    for (const [type, resolvers] of Object.entries(map)) {
      const existing = merged[type];
      if (existing === undefined) {
        merged[type] = resolvers;
        continue;
      }
      if (!isFieldMap(existing) || !isFieldMap(resolvers)) throw new Error(`${type} is resolved twice`);
      const twice = Object.keys(resolvers).find((field) => field in existing);
      if (twice) throw new Error(`${type}.${twice} is resolved twice`);
      merged[type] = { ...existing, ...resolvers };
    }
  }
  return merged as Resolvers;
}
