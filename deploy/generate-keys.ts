/**
 * Writes and rotates the signing keys of a production deployment in an env
 * file (default `.env` at the repository root, which git and Docker ignore):
 *
 *   npx tsx deploy/generate-keys.ts [file]                   new keys; never overwrites
 *   npx tsx deploy/generate-keys.ts rotate <owner> [file]    add a new key for a service or identity
 *   npx tsx deploy/generate-keys.ts retire <owner> [file]    drop that owner's old keys
 *   npx tsx deploy/generate-keys.ts rotate data [file]       a new master key for personal data (old ones stay)
 *
 * <owner> is gateway, bff-web, bff-mobile, payments, insights or identity. A file
 * made before a signing service existed (insights, say) gives that service its
 * first key with `rotate <service>`. docker compose reads `.env` for the `${...}`
 * variables in docker-compose.yml; the Kubernetes Secrets are made from the same
 * file (deploy/k8s/base/secret.template.yaml). Each service receives only its own
 * private key. Values are unquoted JSON.
 */
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '@meridian/platform';
import { formatKeyEnv, generateKeyEnv, KEY_OWNERS, parseEnvFile, retireKeys, rotateDataKeys, rotateKeys, type KeyOwner } from './key-env';

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

/** Replaces the file atomically, keeping it private. */
function write(file: string, content: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, content, { mode: 0o600 });
  fs.renameSync(temporary, file);
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (command === 'rotate' && rest[0] === 'data') {
    const file = path.resolve(rest[1] ?? path.join(repoRoot, '.env'));
    if (!fs.existsSync(file)) fail(`${file} does not exist; generate keys first.`);
    write(file, formatKeyEnv(rotateDataKeys(parseEnvFile(fs.readFileSync(file, 'utf8')))));
    process.stdout.write(`Added a new personal-data master key in ${file}; the old ones stay until everything they sealed is rewrapped.\n`);
    return;
  }
  if (command === 'rotate' || command === 'retire') {
    const owner = rest[0] as KeyOwner;
    if (!KEY_OWNERS.includes(owner)) fail(`Usage: generate-keys.ts ${command} <${KEY_OWNERS.join('|')}> [file]`);
    const file = path.resolve(rest[1] ?? path.join(repoRoot, '.env'));
    if (!fs.existsSync(file)) fail(`${file} does not exist; generate keys first.`);
    const env = parseEnvFile(fs.readFileSync(file, 'utf8'));
    write(file, formatKeyEnv(command === 'rotate' ? await rotateKeys(env, owner) : retireKeys(env, owner)));
    const rotated =
      owner === 'identity'
        ? `Added a new access-token key in ${file}. Deploy identity: every replica publishes it at once and signs with it IDENTITY_KEY_ACTIVATION_SECONDS (default 600) after the first one did. Retire the old key any time after that; identity keeps publishing it until its last token has expired.\n`
        : `Added a new key for ${owner} in ${file}. Deploy the verifiers first, then ${owner}; retire the old key once its tokens have expired.\n`;
    process.stdout.write(
      command === 'rotate'
        ? rotated
        : `Kept only the active key of ${owner} in ${file}. Deploy ${owner === 'identity' ? 'identity' : 'the verifiers'}.\n`,
    );
    return;
  }
  const file = path.resolve(command ?? path.join(repoRoot, '.env'));
  try {
    fs.writeFileSync(file, formatKeyEnv(await generateKeyEnv()), { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') fail(`${file} already exists; remove it first to make new keys, or rotate.`);
    throw err;
  }
  process.stdout.write(`Wrote each service's signing keys, SERVICE_TRUSTED_KEYS, IDENTITY_SIGNING_KEYS, DATA_PROTECTION_KEYS and the KYC and payments webhook secrets to ${file}\n`);
}

void main();
