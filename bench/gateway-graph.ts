// The graph of the gateway benchmark: four small subgraphs (users, accounts, transactions,
// insights) over in-memory data made up from the user's id, the dashboard query that touches
// all four, the answer each user must get, and the supergraph composed from them. The data is
// a pure function of the user, so the load generator checks every response against what
// this module computes, without asking any gateway.
import { composeServices } from '@apollo/composition';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { GraphQLError, parse, type GraphQLSchema } from 'graphql';

/** The subgraphs, in the order the query plan reaches them. */
export const SUBGRAPHS = ['users', 'accounts', 'transactions', 'insights'] as const;
export type SubgraphName = (typeof SUBGRAPHS)[number];

const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@shareable"])';

/** Each subgraph's SDL. */
export const SUBGRAPH_SDL: Record<SubgraphName, string> = {
  users: `${LINK}
    type Query {
      "The signed-in customer."
      me: User
    }
    type User @key(fields: "id") {
      id: ID!
      name: String!
      email: String!
    }`,
  accounts: `${LINK}
    type User @key(fields: "id") {
      id: ID!
      accounts: [Account!]!
    }
    type Account @key(fields: "id") {
      id: ID!
      name: String!
      currency: String!
      balance: String!
    }`,
  transactions: `${LINK}
    type Account @key(fields: "id") {
      id: ID!
      transactions(first: Int!): [Transaction!]!
    }
    type Transaction {
      id: ID!
      amount: String!
      description: String!
      bookedAt: String!
      category: String!
    }`,
  insights: `${LINK}
    type User @key(fields: "id") {
      id: ID!
      spendingByCategory: [CategorySpend!]!
    }
    type CategorySpend {
      category: String!
      amount: String!
    }`,
};

/** The dashboard: every subgraph, one request. */
export const DASHBOARD_QUERY = `query Dashboard {
  me {
    id
    name
    email
    accounts {
      id
      name
      currency
      balance
      transactions(first: 20) {
        id
        amount
        description
        bookedAt
        category
      }
    }
    spendingByCategory {
      category
      amount
    }
  }
}`;

export const DASHBOARD_OPERATION = 'Dashboard';
const TRANSACTIONS_PER_PAGE = 20;

/** The id of the benchmark's user number `index`: the token's `sub`. */
export function userId(index: number): string {
  return `bench-user-${String(index).padStart(4, '0')}`;
}

const CATEGORIES = ['GROCERIES', 'TRANSPORT', 'DINING', 'ENTERTAINMENT', 'UTILITIES', 'SHOPPING'];
const MERCHANTS = ['Tesco', 'TfL', 'Pret', 'Netflix', 'Octopus Energy', 'Amazon', 'Sainsbury', 'Uber'];
const CURRENCIES = ['GBP', 'EUR', 'USD'];

/** A small deterministic hash of a string: the same user always gets the same data. */
function seedOf(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

const money = (minorUnits: number) => `${minorUnits < 0 ? '-' : ''}${Math.floor(Math.abs(minorUnits) / 100)}.${String(Math.abs(minorUnits) % 100).padStart(2, '0')}`;

export interface BenchUser {
  id: string;
  name: string;
  email: string;
}
export interface BenchAccount {
  id: string;
  name: string;
  currency: string;
  balance: string;
}
export interface BenchTransaction {
  id: string;
  amount: string;
  description: string;
  bookedAt: string;
  category: string;
}

export function userOf(id: string): BenchUser {
  return { id, name: `Customer ${id.slice(-4)}`, email: `${id}@example.com` };
}

export function accountsOf(user: string): BenchAccount[] {
  const seed = seedOf(user);
  return [0, 1, 2].map((k) => ({
    id: `${user}:account:${k}`,
    name: ['Current', 'Savings', 'Travel'][k],
    currency: CURRENCIES[(seed + k) % CURRENCIES.length],
    balance: money((seed >>> k) % 1_000_000),
  }));
}

/** The account's owner: accounts are `<user>:account:<k>`. */
export function ownerOfAccount(accountId: string): string {
  return accountId.slice(0, accountId.indexOf(':account:'));
}

export function transactionsOf(accountId: string, first: number): BenchTransaction[] {
  const seed = seedOf(accountId);
  const count = Math.max(0, Math.min(first, 40));
  const out: BenchTransaction[] = new Array(count);
  for (let j = 0; j < count; j++) {
    const n = (seed + j * 7919) >>> 0;
    out[j] = {
      id: `${accountId}:tx:${j}`,
      amount: money(-((n % 20_000) + 1)),
      description: MERCHANTS[n % MERCHANTS.length],
      bookedAt: new Date(Date.UTC(2026, 10, 30) - j * 86_400_000 - (n % 86_400) * 1000).toISOString(),
      category: CATEGORIES[n % CATEGORIES.length],
    };
  }
  return out;
}

export function spendingOf(user: string): { category: string; amount: string }[] {
  const seed = seedOf(`${user}:spending`);
  return CATEGORIES.map((category, i) => ({ category, amount: money(((seed >>> i) % 50_000) + 100) }));
}

/** The `data` a correct gateway answers the dashboard with for `user`, keys in the query's order. */
export function expectedDashboard(user: string): unknown {
  const { id, name, email } = userOf(user);
  return {
    me: {
      id,
      name,
      email,
      accounts: accountsOf(user).map((a) => ({ ...a, transactions: transactionsOf(a.id, TRANSACTIONS_PER_PAGE) })),
      spendingByCategory: spendingOf(user),
    },
  };
}

/** What a subgraph resolver knows of its caller: the user of the request's bearer token. */
export interface SubgraphCaller {
  user?: string;
}

function forbidden(): GraphQLError {
  return new GraphQLError('not your data', { extensions: { code: 'FORBIDDEN' } });
}

/** Only the caller's own data: an entity of another user (or no caller) is refused, as the real subgraphs do. */
function own(caller: SubgraphCaller, owner: string): void {
  if (!caller.user || caller.user !== owner) throw forbidden();
}

type Representation = { __typename: string; id: string };

const RESOLVERS: Record<SubgraphName, Record<string, Record<string, unknown>>> = {
  users: {
    Query: { me: (_: unknown, __: unknown, caller: SubgraphCaller) => (caller.user ? userOf(caller.user) : null) },
    User: {
      __resolveReference: (ref: Representation, caller: SubgraphCaller) => {
        own(caller, ref.id);
        return userOf(ref.id);
      },
    },
  },
  accounts: {
    User: {
      accounts: (user: Representation, _: unknown, caller: SubgraphCaller) => {
        own(caller, user.id);
        return accountsOf(user.id);
      },
    },
    Account: {
      __resolveReference: (ref: Representation, caller: SubgraphCaller) => {
        own(caller, ownerOfAccount(ref.id));
        return accountsOf(ownerOfAccount(ref.id)).find((a) => a.id === ref.id) ?? null;
      },
    },
  },
  transactions: {
    Account: {
      transactions: (account: Representation, args: { first: number }, caller: SubgraphCaller) => {
        own(caller, ownerOfAccount(account.id));
        return transactionsOf(account.id, args.first);
      },
    },
  },
  insights: {
    User: {
      spendingByCategory: (user: Representation, _: unknown, caller: SubgraphCaller) => {
        own(caller, user.id);
        return spendingOf(user.id);
      },
    },
  },
};

/** A subgraph's executable schema. */
export function subgraphSchema(name: SubgraphName): GraphQLSchema {
  return buildSubgraphSchema([{ typeDefs: parse(SUBGRAPH_SDL[name]), resolvers: RESOLVERS[name] as never }]);
}

/** The supergraph of the four subgraphs at these URLs. */
export function composeBenchSupergraph(urls: Record<SubgraphName, string>): string {
  const result = composeServices(SUBGRAPHS.map((name) => ({ name, url: urls[name], typeDefs: parse(SUBGRAPH_SDL[name]) })));
  if (result.errors) throw new Error(`the benchmark's subgraphs do not compose: ${result.errors.map((e) => e.message).join('; ')}`);
  return result.supergraphSdl;
}
