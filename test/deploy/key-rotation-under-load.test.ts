import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBankingServer, loadBankingConfig, type BankingServer } from '@meridian/banking';
import { createMobileBffServer, loadMobileBffConfig } from '@meridian/bff-mobile';
import { createIdentityServer, loadIdentityConfig, type IdentityServer } from '@meridian/identity';
import {
  createAccessTokenVerifier,
  createMemorySessionRevocations,
  generatePrivateJwk,
  loadBaseConfig,
  remoteKeyResolver,
  type MeridianServer,
} from '@meridian/platform';
import { createTestDatabase, type TestDatabase } from '@meridian/platform/testing';
import { decodeProtectedHeader } from 'jose';

// Identity's access-token key is rotated while requests flow through the mobile
// BFF to banking: a rolling deploy of identity with the new key added, then one
// with the old key taken out, behind one JWKS address, while users refresh their
// tokens all along. Not one request may fail: the new key signs only once every
// replica publishes it and the verifiers may refetch (here a 1 s cooldown, a 4 s
// activation delay), and the old key stays published while its tokens live.

const ACTIVATION_SECONDS = 4;
const COOLDOWN_MS = 1_000;
const USERS = 16;
const WORKERS = 12;
const ACCOUNT = `query A($id: ID!) { account(id: $id) { id } }`;
const password = 'a long and unusual passphrase';
const origin = { ip: '203.0.113.70', userAgent: 'jest', requestId: 'key-rotation' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Identity's address as the verifiers see it: the JWKS of whichever replicas are deployed, in turn, the
 * first-listed first after each change, so the first refetch of a rollout meets a replica still on the old keys.
 */
async function startJwksBalancer() {
  let replicas: string[] = [];
  let turn = 0;
  const server = http.createServer((req, res) => {
    const base = replicas[turn++ % replicas.length];
    fetch(`${base}${req.url}`)
      .then(async (upstream) => {
        res.writeHead(upstream.status, { 'content-type': 'application/json' });
        res.end(Buffer.from(await upstream.arrayBuffer()));
      })
      .catch(() => {
        res.writeHead(502);
        res.end();
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`,
    route(servers: IdentityServer[]) {
      replicas = servers.map((s) => `http://127.0.0.1:${(s.app.server.address() as AddressInfo).port}`);
      turn = 0;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('rotating the access-token key under load', () => {
  let db: TestDatabase;
  let banking: BankingServer;
  let mobile: MeridianServer;
  let balancer: Awaited<ReturnType<typeof startJwksBalancer>>;
  const replicas = new Set<IdentityServer>();
  const revocations = createMemorySessionRevocations();

  beforeAll(async () => {
    db = await createTestDatabase();
    balancer = await startJwksBalancer();
  });
  afterAll(async () => {
    await mobile?.close();
    await banking?.close();
    for (const replica of replicas) await replica.close();
    await balancer?.close();
    await revocations.close();
    await db?.drop();
  });

  /** Starts an identity replica signing with `keys` (newest first) on the shared database. */
  async function identityWith(keys: object[]): Promise<IdentityServer> {
    const config = loadIdentityConfig({
      ...process.env,
      MIGRATE_ON_START: 'true',
      IDENTITY_SIGNING_KEYS: JSON.stringify({ keys }),
      IDENTITY_KEY_ACTIVATION_SECONDS: String(ACTIVATION_SECONDS),
      IDENTITY_WORKERS: 'false',
    });
    const replica = await createIdentityServer(config, { databaseUrl: db.url, revocations });
    await replica.app.listen({ port: 0, host: '127.0.0.1' });
    replicas.add(replica);
    return replica;
  }

  it('answers every request while the new key is rolled out and the old one retired', async () => {
    const [oldKey, newKey] = [await generatePrivateJwk(), await generatePrivateJwk()];
    const a = await identityWith([oldKey]);
    balancer.route([a]);
    let deployed: IdentityServer[] = [a];

    const base = loadBaseConfig();
    const verifier = () =>
      createAccessTokenVerifier({
        issuer: base.ACCESS_TOKEN_ISSUER,
        audience: base.ACCESS_TOKEN_AUDIENCE,
        keys: remoteKeyResolver(balancer.url, { cooldownMs: COOLDOWN_MS }),
        revocations,
      });
    banking = await createBankingServer(loadBankingConfig({ ...process.env, MIGRATE_ON_START: 'true', IDENTITY_JWKS_URL: balancer.url }), {
      databaseUrl: db.url,
      revocations,
      accessTokenKeys: remoteKeyResolver(balancer.url, { cooldownMs: COOLDOWN_MS }),
    });
    await banking.app.listen({ port: 0, host: '127.0.0.1' });
    mobile = await createMobileBffServer(
      loadMobileBffConfig({
        ...process.env,
        BANKING_URL: `http://127.0.0.1:${(banking.app.server.address() as AddressInfo).port}/graphql`,
        IDENTITY_JWKS_URL: balancer.url,
        RATE_LIMIT_CUSTOMER: '1000000',
        COST_BUDGET_CUSTOMER: '10000000',
        COST_RESTORE_CUSTOMER: '1000000',
      }),
      { revocations, verifyAccessToken: verifier() },
    );

    // Customers with an account each, signed in before the rotation.
    const users = await Promise.all(
      Array.from({ length: USERS }, async (_, i) => {
        const email = `rotation.${i}.${Date.now()}@example.com`;
        const user = await a.accounts.register({ email, password, displayName: `Rotation ${i}` }, origin);
        const account = await banking.accounts.openAccount({ ownerId: user.id, type: 'CURRENT', currency: 'GBP' });
        const session = await a.sessions.login(email, password, `device-${i}-0000`, origin);
        return { accountId: account.id, deviceId: `device-${i}-0000`, accessToken: session.accessToken, refreshToken: session.refreshToken };
      }),
    );

    const failures: string[] = [];
    const answeredByKid = new Map<string, number>();
    let running = true;
    let retired = false;
    let oldAfterRetirement = 0;
    const worker = async (w: number) => {
      for (let n = w; running; n += WORKERS) {
        const user = users[n % USERS];
        const token = user.accessToken;
        const res = await mobile.app.inject({
          method: 'POST',
          url: '/graphql',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          payload: { query: ACCOUNT, variables: { id: user.accountId } },
          remoteAddress: `10.50.0.${w + 1}`,
        });
        const body = res.json() as { data?: { account?: { id: string } }; errors?: { extensions?: { code?: string } }[] };
        if (res.statusCode !== 200 || body.errors || body.data?.account?.id !== user.accountId) {
          failures.push(`${res.statusCode} ${body.errors?.[0]?.extensions?.code ?? ''} kid=${decodeProtectedHeader(token).kid}`);
        } else {
          const kid = String(decodeProtectedHeader(token).kid);
          answeredByKid.set(kid, (answeredByKid.get(kid) ?? 0) + 1);
          if (retired && kid === oldKey.kid) oldAfterRetirement += 1;
        }
        await sleep(10);
      }
    };
    // Half the users refresh, one every 100 ms, with whichever replica is deployed, as apps do through the load
    // balancer; the others keep the token they signed in with (an app in the background), signed with the old key.
    let refreshing: Promise<void> = Promise.resolve();
    const refresher = (async () => {
      for (let n = 0; running; n++) {
        refreshing = (async () => {
          const user = users[(2 * n) % USERS];
          const pair = await deployed[n % deployed.length].sessions.refresh(user.refreshToken, user.deviceId, origin);
          Object.assign(user, { accessToken: pair.accessToken, refreshToken: pair.refreshToken });
        })().catch((err: Error) => {
          failures.push(`refresh: ${err.message}`);
        });
        await refreshing;
        await sleep(100);
      }
    })();
    /** A rolling deploy step: the balancer and the refreshes move to `next`; replicas left out stop once their refresh is done. */
    const deploy = async (next: IdentityServer[]) => {
      deployed = next;
      balancer.route(next);
      await refreshing;
      await sleep(100);
      for (const replica of [...replicas]) {
        if (!next.includes(replica)) {
          await replica.close();
          replicas.delete(replica);
        }
      }
    };

    const load = Array.from({ length: WORKERS }, (_, w) => worker(w));
    await sleep(1_000);
    // Rollout of the new key: a replica with both keys joins, then the old replica goes.
    const b = await identityWith([newKey, oldKey]);
    await deploy([a, b]);
    await sleep(1_200);
    await deploy([b]);
    // The new key signs once it has been published for the activation delay.
    await sleep((ACTIVATION_SECONDS + 1) * 1_000);
    // Retirement: a replica without the old key joins, then the one with it goes; old tokens still in use keep working.
    const c = await identityWith([newKey]);
    await deploy([b, c]);
    await sleep(1_200);
    await deploy([c]);
    retired = true;
    await sleep(1_000);
    running = false;
    await Promise.all([...load, refresher]);

    expect(failures).toEqual([]);
    expect(answeredByKid.get(oldKey.kid!)).toBeGreaterThan(0);
    expect(answeredByKid.get(newKey.kid!)).toBeGreaterThan(0);
    // Tokens of the retired key were still answered once only replicas without it were left.
    expect(oldAfterRetirement).toBeGreaterThan(0);
    const total = [...answeredByKid.values()].reduce((sum, n) => sum + n, 0);
    expect(total).toBeGreaterThan(200);
    const published = (await (await fetch(balancer.url)).json()) as { keys: { kid: string }[] };
    // The old key's tokens may still be about: it stays published after its retirement.
    expect(published.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([newKey.kid, oldKey.kid]));
  }, 120_000);
});
