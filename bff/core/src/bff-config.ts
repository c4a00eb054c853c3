import { baseConfigSchema } from '@meridian/platform';
import { subgraphConfigSchema } from '@meridian/supergraph';
import { z } from 'zod';

/** Settings both BFFs share: the base ones plus where the subgraphs are. */
export const bffConfigSchema = baseConfigSchema.extend(subgraphConfigSchema.shape);

export type BffConfig = z.infer<typeof bffConfigSchema>;
