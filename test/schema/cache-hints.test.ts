import fs from 'node:fs';
import { ROUTER_SUPPORTED_SUPERGRAPH_FEATURES, Supergraph } from '@apollo/federation-internals';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { scopesFor } from '@meridian/identity';
import { readScopeDirectives } from '@meridian/platform';
import { loadSupergraphSdl, readSupergraphConfig } from '@meridian/supergraph';
import { isObjectType, Kind, parse, print, type ConstDirectiveNode, type DirectiveDefinitionNode } from 'graphql';
import { refusedFields } from '../helpers/scope-sweep';

// The `@cacheControl` hints every subgraph's Apollo Server turns into its answers'
// Cache-Control, as Apollo documents them for subgraphs: declared the same way in each
// subgraph and kept out of the client API; only ever private; an explicit 0 on every
// staff field, so no type's hint makes a staff read cacheable; and a hint on every
// entity, so what the gateway fetches through `_entities` can be cacheable.

const subgraphs = readSupergraphConfig().map((entry) => {
  const typeDefs = parse(fs.readFileSync(entry.schemaFile, 'utf8'));
  return { name: entry.name, typeDefs, schema: buildSubgraphSchema({ typeDefs }), directives: readScopeDirectives(typeDefs) };
});

/** The arguments of the node's `@cacheControl`, printed (`{ maxAge: "0" }`), or undefined without one. */
function hintOf(node: { directives?: readonly ConstDirectiveNode[] } | null | undefined): Record<string, string> | undefined {
  const hint = node?.directives?.find((d) => d.name.value === 'cacheControl');
  return hint && Object.fromEntries((hint.arguments ?? []).map((a) => [a.name.value, print(a.value)]));
}

describe.each(subgraphs.map((s) => [s.name, s] as const))('%s cache hints', (_name, { typeDefs, schema, directives }) => {
  it('declares @cacheControl and CacheControlScope as Apollo Server documents them, the enum @inaccessible', () => {
    const directive = typeDefs.definitions.find((d): d is DirectiveDefinitionNode => d.kind === Kind.DIRECTIVE_DEFINITION && d.name.value === 'cacheControl');
    expect(directive && print({ ...directive, description: undefined })).toBe(
      'directive @cacheControl(maxAge: Int, scope: CacheControlScope, inheritMaxAge: Boolean) on FIELD_DEFINITION | OBJECT | INTERFACE | UNION',
    );
    const scope = typeDefs.definitions.find((d) => d.kind === Kind.ENUM_TYPE_DEFINITION && d.name.value === 'CacheControlScope');
    expect(scope?.kind === Kind.ENUM_TYPE_DEFINITION && scope.values?.map((v) => v.name.value)).toEqual(['PUBLIC', 'PRIVATE']);
    expect(scope?.kind === Kind.ENUM_TYPE_DEFINITION && scope.directives?.map((d) => d.name.value)).toEqual(['inaccessible']);
  });

  it('only ever lets an answer be cached privately', () => {
    const loose: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('_')) continue;
      const hints = [[type.name, hintOf(type.astNode)], ...Object.values(type.getFields()).map((f) => [`${type.name}.${f.name}`, hintOf(f.astNode)] as const)] as const;
      for (const [coordinate, hint] of hints) {
        if (hint?.maxAge !== undefined && hint.maxAge !== '0' && hint.scope !== 'PRIVATE') loose.push(coordinate);
      }
    }
    expect(loose).toEqual([]);
  });

  it('hints maxAge 0 on every staff field', () => {
    const staffFields = refusedFields(schema, directives, scopesFor(['CUSTOMER']));
    const unhinted = staffFields.filter((coordinate) => {
      const [typeName, fieldName] = coordinate.split('.');
      const field = (schema.getType(typeName) as { getFields(): Record<string, { astNode?: { directives?: readonly ConstDirectiveNode[] } | null }> }).getFields()[fieldName];
      return hintOf(field.astNode)?.maxAge !== '0';
    });
    expect(unhinted).toEqual([]);
  });

  it('hints a maxAge on every entity it resolves, so `_entities` answers can be cached', () => {
    const entities = typeDefs.definitions.flatMap((d) => {
      if (d.kind !== Kind.OBJECT_TYPE_DEFINITION) return [];
      const keys = d.directives?.filter((k) => k.name.value === 'key') ?? [];
      const resolvable = keys.some((k) => !k.arguments?.some((a) => a.name.value === 'resolvable' && print(a.value) === 'false'));
      return resolvable ? [d] : [];
    });
    expect(entities.length).toBeGreaterThan(0);
    const unhinted = entities.filter((d) => !(Number(hintOf(d)?.maxAge) > 0)).map((d) => d.name.value);
    expect(unhinted).toEqual([]);
  });
});

describe('the client API', () => {
  it('has neither @cacheControl nor CacheControlScope', () => {
    const api = Supergraph.build(loadSupergraphSdl(), { supportedFeatures: ROUTER_SUPPORTED_SUPERGRAPH_FEATURES }).apiSchema().toGraphQLJSSchema();
    expect(api.getType('CacheControlScope')).toBeUndefined();
    expect(api.getDirective('cacheControl')).toBeUndefined();
  });
});
