import { Kind, parse, type ConstDirectiveNode, type ConstValueNode } from 'graphql';

/** What `@cost` and `@listSize` (the IBM cost spec, as Apollo Federation 2.9 composes them) say about one field. */
export interface FieldCost {
  weight?: number;
  assumedSize?: number;
  slicingArguments?: string[];
  sizedFields?: string[];
}

/** Cost declarations read from a supergraph, by `Type.field`; `Type` alone holds a type's `@cost`. */
export type CostDirectives = Map<string, FieldCost>;

function intArg(directive: ConstDirectiveNode, name: string): number | undefined {
  const value = directive.arguments?.find((a) => a.name.value === name)?.value;
  return value?.kind === Kind.INT ? Number(value.value) : undefined;
}

function stringListArg(directive: ConstDirectiveNode, name: string): string[] | undefined {
  const value: ConstValueNode | undefined = directive.arguments?.find((a) => a.name.value === name)?.value;
  if (value?.kind !== Kind.LIST) return undefined;
  return value.values.flatMap((v) => (v.kind === Kind.STRING ? [v.value] : []));
}

function read(directives: readonly ConstDirectiveNode[] | undefined): FieldCost | undefined {
  const cost: FieldCost = {};
  for (const directive of directives ?? []) {
    if (directive.name.value === 'cost') cost.weight = intArg(directive, 'weight');
    if (directive.name.value === 'listSize') {
      cost.assumedSize = intArg(directive, 'assumedSize');
      cost.slicingArguments = stringListArg(directive, 'slicingArguments');
      cost.sizedFields = stringListArg(directive, 'sizedFields');
    }
  }
  return Object.keys(cost).length ? cost : undefined;
}

/** Collects every `@cost` and `@listSize` in a supergraph SDL. */
export function readCostDirectives(supergraphSdl: string): CostDirectives {
  const found: CostDirectives = new Map();
  for (const definition of parse(supergraphSdl).definitions) {
    if (
      definition.kind !== Kind.OBJECT_TYPE_DEFINITION &&
      definition.kind !== Kind.OBJECT_TYPE_EXTENSION &&
      definition.kind !== Kind.INTERFACE_TYPE_DEFINITION
    ) {
      continue;
    }
    const typeCost = read(definition.directives);
    if (typeCost) found.set(definition.name.value, typeCost);
    for (const field of definition.fields ?? []) {
      const cost = read(field.directives);
      if (cost) found.set(`${definition.name.value}.${field.name.value}`, cost);
    }
  }
  return found;
}
