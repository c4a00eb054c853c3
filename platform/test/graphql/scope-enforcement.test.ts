import { buildSubgraphSchema } from '@apollo/subgraph';
import { graphql, parse, type GraphQLObjectType } from 'graphql';
import {
  bothRequirements,
  decideScopes,
  enforceScopeDirectives,
  errors,
  fieldRequirement,
  readScopeDirectives,
  type AccessTokenClaims,
  type SubgraphContext,
} from '../../src';

const typeDefs = parse(/* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@authenticated", { name: "@requiresScopes", as: "@scopes" }])

  interface Node { id: ID! secret: String }
  type Note implements Node @key(fields: "id") { id: ID! secret: String @scopes(scopes: [["secrets:read"]]) body: String }
  type Ledger @scopes(scopes: [["ledger:read"], ["auditor"]]) { total: Int }
  type Query {
    open: String
    signedIn: String @authenticated
    both: String @scopes(scopes: [["a", "b"]])
    either: String @scopes(scopes: [["a"], ["c"]])
    ledger: Ledger
    nodes: [Node!]!
  }
`);

const resolvers = {
  Query: {
    open: () => 'open',
    signedIn: () => 'signed in',
    both: () => 'both',
    either: () => 'either',
    ledger: () => ({ total: 7 }),
    nodes: () => [{ __typename: 'Note', id: 'n1', secret: 's', body: 'b' }],
  },
  Node: { __resolveType: () => 'Note' },
};

function claims(scopes: string[]): AccessTokenClaims {
  return { userId: 'u', sessionId: 's', roles: ['CUSTOMER'], scopes, tokenId: 't', expiresAt: new Date(Date.now() + 60_000), amr: ['pwd'], authTime: new Date() };
}

function context(user?: AccessTokenClaims, authError?: ReturnType<typeof errors.unauthenticated>): SubgraphContext {
  return { requestId: 'r', caller: 'gateway', user, authError, clientIp: '', userAgent: '', log: {} as SubgraphContext['log'] };
}

const schema = buildSubgraphSchema({ typeDefs, resolvers: resolvers as never });
const wrapped = enforceScopeDirectives(schema, typeDefs);
const run = (source: string, ctx: SubgraphContext) => graphql({ schema, source, contextValue: ctx });

describe('the schema’s own @authenticated and @requiresScopes in a subgraph', () => {
  it('wraps exactly the fields the directives cover, an import renamed by its link included', () => {
    expect(wrapped).toEqual(['Ledger.total', 'Note.secret', 'Query.both', 'Query.either', 'Query.ledger', 'Query.signedIn']);
  });

  it('refuses a field without a token as UNAUTHENTICATED before its resolver runs, naming it, and leaves open fields alone', async () => {
    const res = await run('{ open signedIn }', context());
    expect(res.data).toEqual({ open: 'open', signedIn: null });
    expect(res.errors?.[0].extensions).toEqual({ code: 'UNAUTHENTICATED', fields: ['Query.signedIn'] });
  });

  it('answers a refused token’s own reason rather than a generic one', async () => {
    const res = await run('{ signedIn }', context(undefined, errors.unauthenticated('The access token has expired.')));
    expect(res.errors?.[0].message).toBe('The access token has expired.');
  });

  it('needs every scope of one set: FORBIDDEN naming the field and what it needs', async () => {
    const res = await run('{ both either }', context(claims(['a'])));
    expect(res.data).toEqual({ both: null, either: 'either' });
    expect(res.errors).toHaveLength(1);
    expect(res.errors?.[0].extensions).toEqual({ code: 'FORBIDDEN', fields: ['Query.both'] });
    expect(res.errors?.[0].message).toContain('Query.both (needs a and b)');
    expect((await run('{ both }', context(claims(['b', 'a'])))).data).toEqual({ both: 'both' });
    expect((await run('{ either }', context(claims(['c'])))).data).toEqual({ either: 'either' });
  });

  it('applies a type’s directive to the fields returning it and to its own fields', async () => {
    expect((await run('{ ledger { total } }', context(claims(['a'])))).errors?.[0].extensions?.fields).toEqual(['Query.ledger']);
    expect((await run('{ ledger { total } }', context(claims(['auditor'])))).data).toEqual({ ledger: { total: 7 } });
  });

  it('applies an implementation’s directive however its field is reached: through the interface or a fragment', async () => {
    const res = await run('{ nodes { id ... on Note { secret body } } }', context(claims([])));
    expect(res.errors?.[0].extensions).toEqual({ code: 'FORBIDDEN', fields: ['Note.secret'] });
    expect((await run('{ nodes { secret } }', context(claims(['secrets:read'])))).data).toEqual({ nodes: [{ secret: 's' }] });
  });
});

describe('scope requirements', () => {
  it('read from a supergraph’s spellings and combine as composition does (DNF conjunction)', () => {
    const directives = readScopeDirectives(
      parse(`
        schema @link(url: "https://specs.apollo.dev/requiresScopes/v0.1", for: SECURITY) { query: Query }
        directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT
        type Query { a: String @requiresScopes(scopes: [["x"], ["y"]]) @requiresScopes(scopes: [["z"]]) }
      `),
    );
    expect(directives.get('Query.a')).toEqual({ authenticated: true, anyOf: [['x', 'z'], ['y', 'z']] });
    expect(bothRequirements(undefined, { authenticated: true })).toEqual({ authenticated: true });
    // x and (x or y) is x.
    expect(bothRequirements({ authenticated: true, anyOf: [['x']] }, { authenticated: true, anyOf: [['x'], ['y']] })).toEqual({ authenticated: true, anyOf: [['x']] });
  });

  it('an empty list of scope sets is met by nobody', () => {
    expect(decideScopes({ authenticated: true, anyOf: [] }, claims(['anything']))).toBe('FORBIDDEN');
    expect(decideScopes({ authenticated: true }, claims([]))).toBe('ALLOWED');
    expect(decideScopes(undefined, undefined)).toBe('ALLOWED');
  });

  it('a field returning an interface or union asks nothing of its members’ own: their fields do, however they are reached', () => {
    const sdl = parse(`
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@requiresScopes"])
      interface Thing { id: ID! }
      type Open implements Thing { id: ID! }
      type Closed implements Thing @key(fields: "id") @requiresScopes(scopes: [["closed"]]) { id: ID! }
      union Either = Open | Closed
      type Query { thing: Thing either: Either closed: Closed }
    `);
    const built = buildSubgraphSchema({ typeDefs: sdl });
    const directives = readScopeDirectives(sdl);
    const requirement = (type: string, field: string) => fieldRequirement(directives, built.getType(type) as GraphQLObjectType, field);
    expect(requirement('Query', 'thing')).toBeUndefined();
    expect(requirement('Query', 'either')).toBeUndefined();
    // Federation's _entities returns a union of every entity: it stays open, each entity's fields guard themselves.
    expect(requirement('Query', '_entities')).toBeUndefined();
    expect(requirement('Query', 'closed')).toEqual({ authenticated: true, anyOf: [['closed']] });
    expect(requirement('Closed', 'id')).toEqual({ authenticated: true, anyOf: [['closed']] });
  });
});
