import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { Kind, type SelectionSetNode, type ValidationContext, type ValidationRule } from 'graphql';
import type { BffPlugin } from './bff-plugin';
import { queryTooComplex, reportLimit } from './limit-error';

/** Options for {@link useQueryLimits}; each refuses with QUERY_TOO_COMPLEX naming the limit. */
export interface QueryLimitsOptions {
  /** Aliases per operation (alias batching multiplies work under one request). */
  maxAliases: number;
  /** Directives per operation (directive overloading). */
  maxDirectives: number;
  /** Fields at the root of an operation (fragments at the root included). */
  maxRootFields: number;
}

function countRootFields(context: ValidationContext, selections: SelectionSetNode, seen = new Set<string>()): number {
  let count = 0;
  for (const selection of selections.selections) {
    if (selection.kind === Kind.FIELD) {
      if (!selection.name.value.startsWith('__')) count += 1;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      count += countRootFields(context, selection.selectionSet, seen);
    } else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = context.getFragment(selection.name.value);
      if (fragment) count += countRootFields(context, fragment.selectionSet, seen);
    }
  }
  return count;
}

/** Refuses operations with more than `max` root fields: one request, one job. */
export function maxRootFieldsRule(max: number): ValidationRule {
  return (context) => ({
    OperationDefinition(node) {
      const count = countRootFields(context, node.selectionSet);
      if (count > max) {
        context.reportError(queryTooComplex(`Root field limit of ${max} exceeded, found ${count}.`, 'rootFields', max));
      }
    },
  });
}

/** Alias, directive and root-field limits, checked in the single validation pass. */
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
      maxRootFieldsRule(options.maxRootFields),
    ],
  };
}
