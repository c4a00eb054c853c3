import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import type { BffPlugin } from './bff-plugin';
import { queryTooComplex, reportLimit } from './limit-error';
import { collectRootFields } from './operation-fields';

/** Options for {@link useQueryLimits}; each refuses with QUERY_TOO_COMPLEX naming the limit. */
export interface QueryLimitsOptions {
  /** Aliases per operation (alias batching multiplies work under one request). */
  maxAliases: number;
  /** Directives per operation (directive overloading). */
  maxDirectives: number;
  /** Root fields that will execute (fragments looked through, each alias one, skipped ones not). */
  maxRootFields: number;
}

/**
 * Alias and directive limits in the single validation pass; the root-field
 * limit once variables are known, counting the root fields that will execute
 * as the field guards see them (one walker, {@link collectRootFields}):
 * one request, one job.
 */
export function useQueryLimits(options: QueryLimitsOptions): BffPlugin {
  return {
    name: 'query-limits',
    validationRules: [
      maxAliasesRule({
        n: options.maxAliases,
        exposeLimits: true,
        propagateOnRejection: false,
        onReject: [reportLimit('aliases', options.maxAliases)],
      }),
      maxDirectivesRule({
        n: options.maxDirectives,
        exposeLimits: true,
        propagateOnRejection: false,
        onReject: [reportLimit('directives', options.maxDirectives)],
      }),
    ],
    async guard(request) {
      const count = collectRootFields(request).filter((field) => !field.name.startsWith('__')).length;
      if (count > options.maxRootFields) {
        throw queryTooComplex(`Root field limit of ${options.maxRootFields} exceeded, found ${count}.`, 'rootFields', options.maxRootFields);
      }
    },
  };
}
