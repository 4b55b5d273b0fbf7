import { type ConnectionOptions, connect } from '@nats-io/transport-node';
import { SUBJECTS, TENANT_PATTERN, TENANT_RULE, type TenantKeysChanged } from '@switchyard/contracts';
import { mongoConnectOptions, TenantKeyRepository, type TenantKeyInfo } from '@switchyard/persistence';
import mongoose from 'mongoose';

export type TenantKeysOptions =
  | { action: 'create'; tenant: string; name?: string; admin?: boolean }
  | { action: 'list'; tenant?: string; json: boolean }
  | { action: 'revoke'; keyId: string };

export interface TenantKeysEnv {
  mongoUri: string;
  nats: ConnectionOptions;
  out?: (line: string) => void;
}

/**
 * `switchyard keys create | list | revoke`: tenant API keys, stored as SHA-256 hashes in MongoDB
 * (`tenant_keys`). A new key is printed once and cannot be shown again. Every ingress replica is told of a
 * change on router.tenant-keys.changed.v1 and reloads at once; one that misses the notice reloads within
 * TENANT_KEYS_REFRESH_SECONDS.
 */
export async function runTenantKeys(opts: TenantKeysOptions, env: TenantKeysEnv): Promise<number> {
  const out = env.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  if ('tenant' in opts && opts.tenant !== undefined && !TENANT_PATTERN.test(opts.tenant))
    throw new Error(`--tenant ${TENANT_RULE}; got "${opts.tenant}"`);
  const db = await mongoose.createConnection(env.mongoUri, mongoConnectOptions(env.mongoUri)).asPromise();
  try {
    const keys = new TenantKeyRepository(db);
    await keys.ensureIndexes();
    switch (opts.action) {
      case 'create': {
        const { key, info } = await keys.create(opts.tenant, opts.name, { admin: opts.admin === true });
        out(
          `created ${info.admin ? 'admin ' : ''}${info.keyId} for tenant ${info.tenant}${info.name ? ` (${info.name})` : ''}`,
        );
        out(`key: ${key}`);
        out('it is shown only now: store it where the caller keeps secrets (it is kept here as a hash only)');
        await announce(env, { tenant: info.tenant, keyId: info.keyId, change: 'created', at: Date.now() }, out);
        return 0;
      }
      case 'list': {
        const listed = await keys.list(opts.tenant);
        if (opts.json) for (const k of listed) out(JSON.stringify(k));
        else {
          out(`${listed.length} key${listed.length === 1 ? '' : 's'}${opts.tenant ? ` of tenant ${opts.tenant}` : ''}`);
          for (const k of listed) out(describe(k));
        }
        return 0;
      }
      case 'revoke': {
        const revoked = await keys.revoke(opts.keyId);
        if (!revoked) {
          process.stderr.write(`no key ${opts.keyId} in force (see switchyard keys list)\n`);
          return 1;
        }
        out(`revoked ${revoked.keyId} of tenant ${revoked.tenant}`);
        await announce(env, { tenant: revoked.tenant, keyId: revoked.keyId, change: 'revoked', at: Date.now() }, out);
        return 0;
      }
    }
  } finally {
    await db.close();
  }
}

function describe(k: TenantKeyInfo): string {
  const state = k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : 'in force';
  return `${k.keyId}  ${k.tenant.padEnd(16)} ${k.prefix}…  ${k.admin ? 'admin  ' : ''}created ${k.createdAt.toISOString()}  ${state}${k.name ? `  ${k.name}` : ''}`;
}

/** Tells every ingress replica to reload now; without NATS they still do within their refresh interval. */
async function announce(env: TenantKeysEnv, notice: TenantKeysChanged, out: (line: string) => void): Promise<void> {
  try {
    const nc = await connect({ ...env.nats, timeout: 3000 });
    nc.publish(SUBJECTS.tenantKeysChanged, JSON.stringify(notice));
    await nc.drain();
    out('ingress replicas told to reload their keys');
  } catch (err) {
    out(`ingress replicas not told (${(err as Error).message}); they reload within TENANT_KEYS_REFRESH_SECONDS`);
  }
}
