/**
 * Writes the signing keys a production deployment needs to an env file
 * (default `.env` at the repository root, which git and Docker ignore):
 *
 *   npx tsx deploy/generate-keys.ts [file]
 *
 * docker compose reads `.env` for the `${...}` variables in docker-compose.yml;
 * `kubectl create secret generic meridian-secrets --from-env-file=.env ...`
 * turns the same file into the Kubernetes Secret. Values are unquoted JSON,
 * which both read literally. An existing file is never overwritten.
 */
import fs from 'node:fs';
import path from 'node:path';
import { generatePrivateJwk, repoRoot } from '@meridian/platform';

async function main(): Promise<void> {
  const file = path.resolve(process.argv[2] ?? path.join(repoRoot, '.env'));
  const service = await generatePrivateJwk();
  const identity = await generatePrivateJwk();
  const { d: _private, ...servicePublic } = service;
  const lines = [
    '# Meridian signing keys. Private: never commit, share or log this file.',
    '# Service tokens: private keys for the gateway and the BFFs, public keys for subgraphs and the gateway.',
    `SERVICE_SIGNING_KEYS=${JSON.stringify({ keys: [service] })}`,
    `SERVICE_TRUSTED_KEYS=${JSON.stringify({ keys: [servicePublic] })}`,
    "# User access tokens: identity's private keys; everyone else reads identity's JWKS.",
    `IDENTITY_SIGNING_KEYS=${JSON.stringify({ keys: [identity] })}`,
    '',
  ];
  try {
    fs.writeFileSync(file, lines.join('\n'), { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      process.stderr.write(`${file} already exists; remove it first to make new keys.\n`);
      process.exit(1);
    }
    throw err;
  }
  process.stdout.write(`Wrote SERVICE_SIGNING_KEYS, SERVICE_TRUSTED_KEYS and IDENTITY_SIGNING_KEYS to ${file}\n`);
}

void main();
