import { buildSchema, parse, type OperationDefinitionNode } from 'graphql';
import { collectRootFields } from '../src';

const schema = buildSchema(/* GraphQL */ `
  input LoginInput { email: String!, password: String!, deviceId: String }
  type Session { token: String }
  type Query { me: String, hello(name: String = "world"): String }
  type Mutation { login(input: LoginInput!): Session, logout(refreshToken: String): Boolean, revokeSession(id: ID!): Boolean }
`);

/** The root fields of `source` as [responseKey, name, args], the way execution would run them. */
function fields(source: string, variables: Record<string, unknown> = {}) {
  const document = parse(source);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')!;
  return collectRootFields({ schema, document, operation, request: { variables } }).map((f) => [f.responseKey, f.name, f.args]);
}

const input = { email: 'ana@example.com', password: 'pw', deviceId: 'phone-0001' };
const LOGIN = 'login(input: $i) { token }';

describe('collectRootFields: root fields as GraphQL executes them', () => {
  it.each([
    ['a plain field', `mutation($i: LoginInput!) { ${LOGIN} }`, [['login', 'login', { input }]]],
    ['aliases, each its own entry', `mutation($i: LoginInput!) { a: ${LOGIN} b: ${LOGIN} }`, [['a', 'login', { input }], ['b', 'login', { input }]]],
    ['an inline fragment on the root type', `mutation($i: LoginInput!) { ... on Mutation { a: ${LOGIN} } }`, [['a', 'login', { input }]]],
    ['an inline fragment without a type condition', `mutation($i: LoginInput!) { ... { a: ${LOGIN} } }`, [['a', 'login', { input }]]],
    ['a named fragment', `mutation($i: LoginInput!) { ...F } fragment F on Mutation { a: ${LOGIN} b: ${LOGIN} }`, [['a', 'login', { input }], ['b', 'login', { input }]]],
    [
      'fragments within fragments, in any order',
      `mutation($i: LoginInput!) { ... on Mutation { ...F } } fragment G on Mutation { c: ${LOGIN} } fragment F on Mutation { ... { a: ${LOGIN} } ...G }`,
      [['a', 'login', { input }], ['c', 'login', { input }]],
    ],
    ['one field repeated under one key: it runs once', `mutation($i: LoginInput!) { ${LOGIN} ...F } fragment F on Mutation { ${LOGIN} }`, [['login', 'login', { input }]]],
    ['@skip(if: true) and @include(if: false) left out', `mutation($i: LoginInput!) { a: login(input: $i) @skip(if: true) { token } b: login(input: $i) @include(if: false) { token } c: ${LOGIN} }`, [['c', 'login', { input }]]],
    ['@include(if: true) kept', `mutation($i: LoginInput!) { a: login(input: $i) @include(if: true) { token } }`, [['a', 'login', { input }]]],
    ['a skipped fragment left out', `mutation($i: LoginInput!) { ...F @skip(if: true) ... @include(if: false) { b: ${LOGIN} } } fragment F on Mutation { a: ${LOGIN} }`, []],
    ['literal arguments coerced', 'mutation { login(input: { email: "x@example.com", password: "p" }) { token } }', [['login', 'login', { input: { email: 'x@example.com', password: 'p' } }]]],
    ['default argument values applied', '{ hello }', [['hello', 'hello', { name: 'world' }]]],
  ])('%s', (_shape, source, expected) => {
    expect(fields(source, { i: input })).toEqual(expected);
  });

  it('reads @skip and @include from variables', () => {
    const source = `mutation($i: LoginInput!, $hide: Boolean!, $show: Boolean = true) { a: login(input: $i) @skip(if: $hide) { token } b: login(input: $i) @include(if: $show) { token } }`;
    expect(fields(source, { i: input, hide: false })).toEqual([['a', 'login', { input }], ['b', 'login', { input }]]);
    expect(fields(source, { i: input, hide: true, show: false })).toEqual([]);
  });

  it('answers variables that do not coerce with BAD_USER_INPUT, as execution would', () => {
    const source = `mutation($i: LoginInput!, $hide: Boolean!) { login(input: $i) @skip(if: $hide) { token } }`;
    expect(() => fields(source, { i: input })).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }));
    expect(() => fields(source, { i: { email: 1 }, hide: false })).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }));
  });
});
