import { ApolloServer } from '@apollo/server';
import { useCacheableCustomerReads, type AccessTokenClaims, type Role } from '@meridian/platform';

// Only a customer's query may be cacheable: a type's hint never makes a
// mutation's answer or a staff member's read cacheable.

const typeDefs = `
  enum CacheControlScope { PUBLIC PRIVATE }
  directive @cacheControl(maxAge: Int, scope: CacheControlScope, inheritMaxAge: Boolean) on FIELD_DEFINITION | OBJECT | INTERFACE | UNION
  type Account @cacheControl(maxAge: 30, scope: PRIVATE) { id: ID! }
  type Query { account: Account }
  type Mutation { openAccount: Account }
`;
const resolvers = { Query: { account: () => ({ id: 'a1' }) }, Mutation: { openAccount: () => ({ id: 'a2' }) } };

const claims = (roles: Role[]): AccessTokenClaims => ({
  userId: 'u1',
  sessionId: 's1',
  roles,
  scopes: [],
  tokenId: 't1',
  expiresAt: new Date(Date.now() + 600_000),
  amr: ['pwd'],
  authTime: new Date(),
});

let apollo: ApolloServer<{ user?: AccessTokenClaims }>;
beforeAll(async () => {
  apollo = new ApolloServer({ typeDefs, resolvers, plugins: [useCacheableCustomerReads()] });
  await apollo.start();
});
afterAll(() => apollo.stop());

async function cacheControl(query: string, user?: AccessTokenClaims): Promise<string | undefined> {
  const response = await apollo.executeOperation({ query }, { contextValue: { user } });
  expect(response.body.kind === 'single' && response.body.singleResult.errors).toBeFalsy();
  return response.http.headers.get('cache-control');
}

describe('useCacheableCustomerReads', () => {
  it('keeps the hints of a customer’s query (and of a caller with no user)', async () => {
    expect(await cacheControl('{ account { id } }', claims(['CUSTOMER']))).toBe('max-age=30, private');
    expect(await cacheControl('{ account { id } }')).toBe('max-age=30, private');
  });

  it('makes every staff member’s read uncacheable', async () => {
    for (const roles of [['SUPPORT'], ['COMPLIANCE'], ['ADMIN']] as Role[][]) {
      expect(await cacheControl('{ account { id } }', claims(roles))).toBe('no-store');
    }
  });

  it('makes a mutation’s answer uncacheable, whoever asks', async () => {
    expect(await cacheControl('mutation { openAccount { id } }', claims(['CUSTOMER']))).toBe('no-store');
  });
});
