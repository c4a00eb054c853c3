import { ROUTER_SUPPORTED_SUPERGRAPH_FEATURES, Supergraph } from '@apollo/federation-internals';
import { buildSchema, parse } from 'graphql';
import { loadSupergraphSdl } from '@meridian/supergraph';
import { actualCost, createCostEstimator, estimateCost, readCostDirectives } from '../src';

const sdl = /* GraphQL */ `
  directive @cost(weight: Int!) on FIELD_DEFINITION | OBJECT
  directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION
  type Query {
    accounts: [Account!]!
    account(id: ID!): Account
    search(limit: Int): [Account!]! @listSize(slicingArguments: ["limit"], assumedSize: 25)
    tags: [String!]! @listSize(assumedSize: 1000)
    expensive: Int @cost(weight: 50)
    history(count: Int): [Account!]! @listSize(slicingArguments: ["count"])
  }
  type Mutation { open: Account }
  type Account {
    id: ID!
    name: String
    owner: Owner
    transactions(first: Int, after: String): TransactionConnection!
  }
  type Owner { id: ID! }
  type TransactionConnection { edges: [TransactionEdge!]! pageInfo: PageInfo! }
  type TransactionEdge { cursor: String! node: Transaction! }
  type Transaction { id: ID! amount: String }
  type PageInfo { hasNextPage: Boolean! }
`;
const schema = buildSchema(sdl);
const estimator = createCostEstimator({ directives: readCostDirectives(sdl), defaultListSize: 10 });
const cost = (query: string, variables?: Record<string, unknown>) => estimateCost(schema, parse(query), variables, undefined, estimator);

describe('static cost', () => {
  it('charges 1 per object and 0 per leaf', () => {
    expect(cost('{ account(id: "1") { id name } }')).toBe(1);
    expect(cost('{ account(id: "1") { id owner { id } } }')).toBe(2);
  });

  it('multiplies an unbounded list by the default size', () => {
    expect(cost('{ accounts { id owner { id } } }')).toBe(10 * 2);
  });

  it('uses a slicing argument, from a literal or a variable, before @listSize(assumedSize)', () => {
    expect(cost('{ search(limit: 3) { id } }')).toBe(3);
    expect(cost('query($n: Int) { search(limit: $n) { id } }', { n: 7 })).toBe(7);
    expect(cost('{ search { id } }')).toBe(25);
    expect(cost('{ history(count: 4) { id } }')).toBe(4);
  });

  it('sizes a connection by first, counting edges once', () => {
    // transactions (1) + first × (edges 1 + node 1) + pageInfo 1 inside the multiplied children.
    expect(cost('{ account(id: "1") { transactions(first: 10) { edges { node { id } } } } }')).toBe(1 + 1 + 10 * 2);
    expect(cost('{ accounts { transactions(first: 10) { edges { node { id } } } } }')).toBe(10 * (1 + 1 + 10 * 2));
  });

  it('honours @cost and charges mutations extra', () => {
    expect(cost('{ expensive }')).toBe(50);
    expect(cost('{ tags }')).toBe(0);
    expect(cost('mutation { open { id } }')).toBe(11);
  });
});

describe('introspection', () => {
  it('costs nothing (it is off in production)', () => {
    expect(cost('{ __schema { types { name fields { name args { name } } } } }')).toBe(0);
    expect(cost('{ __typename account(id: "1") { __typename id } }')).toBe(1);
  });
});

describe('actual cost', () => {
  const actual = (query: string, data: Record<string, unknown>) => actualCost(schema, parse(query), undefined, data, { directives: readCostDirectives(sdl) });

  it('counts the list items that came back, not the size that was assumed (a field that resolved to null still ran)', () => {
    const query = '{ accounts { id owner { id } } }';
    expect(cost(query)).toBe(20);
    expect(actual(query, { accounts: [{ id: '1', owner: { id: 'o' } }, { id: '2', owner: null }, { id: '3', owner: { id: 'o' } }] })).toBe(3 + 3);
    expect(actual(query, { accounts: [] })).toBe(0);
  });

  it('charges a connection per edge returned, whatever first asked for', () => {
    const query = '{ account(id: "1") { transactions(first: 50) { edges { node { id } } pageInfo { hasNextPage } } } }';
    const edges = (n: number) => Array.from({ length: n }, (_, i) => ({ node: { id: String(i) } }));
    const data = (n: number) => ({ account: { transactions: { edges: edges(n), pageInfo: { hasNextPage: false } } } });
    // account 1 + transactions 1 + pageInfo 1 + per edge (edge 1 + node 1)
    expect(actual(query, data(2))).toBe(3 + 2 * 2);
    expect(actual(query, data(0))).toBe(3);
    expect(actual(query, data(2))).toBeLessThan(cost(query));
  });

  it('follows fragments and aliases, counts @cost weights, and skips fields that did not come back', () => {
    const query = '{ a: account(id: "1") { ...F } b: account(id: "2") { id } expensive } fragment F on Account { owner { id } }';
    expect(actual(query, { a: { owner: { id: 'o' } }, b: null, expensive: 3 })).toBe(1 + 1 + 1 + 50);
    expect(actual(query, { a: null, b: null, expensive: null })).toBe(1 + 1 + 50);
    expect(actual('mutation { open { id } }', { open: { id: '1' } })).toBe(11);
  });
});

describe("the supergraph's own declarations", () => {
  const supergraphSdl = loadSupergraphSdl();
  // The API schema the gateway serves, as the BFF prices operations against it.
  const api = Supergraph.build(supergraphSdl, { supportedFeatures: ROUTER_SUPPORTED_SUPERGRAPH_FEATURES }).apiSchema().toGraphQLJSSchema();
  const declared = readCostDirectives(supergraphSdl);
  const priced = createCostEstimator({ directives: declared, defaultListSize: 10 });
  const unpriced = createCostEstimator({ directives: new Map(), defaultListSize: 10 });
  const price = (query: string, estimator = priced) => estimateCost(api, parse(query), undefined, undefined, estimator);

  it('carry @cost and @listSize from the subgraphs into the supergraph', () => {
    expect(declared.get('Account.transactions')).toEqual({ weight: 2, slicingArguments: ['first'], sizedFields: ['edges'] });
    expect(declared.get('Account.balanceAt')).toEqual({ weight: 3 });
    expect(declared.get('User.accounts')).toEqual({ assumedSize: 10 });
    expect(declared.get('User.sessions')).toEqual({ assumedSize: 10 });
  });

  it('change the price: a past balance weighs 3 per account, a page of transactions 2 plus its edges', () => {
    const balances = '{ me { accounts { balanceAt(time: "2026-01-01T00:00:00Z") { amount } } } }';
    expect(price(balances) - price(balances, unpriced)).toBe(10 * (3 - 1));
    const page = (first: number) => `{ account(id: "a") { transactions(first: ${first}) { edges { node { id } } } } }`;
    expect(price(page(50))).toBe(1 + 2 + 50 * 2);
    expect(price(page(5))).toBe(1 + 2 + 5 * 2);
    // Without `first` the schema's default (20) sizes the page.
    expect(price('{ account(id: "a") { transactions { edges { node { id } } } } }')).toBe(1 + 2 + 20 * 2);
  });
});
