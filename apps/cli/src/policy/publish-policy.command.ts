import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { userInfo } from 'node:os';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { type ConnectionOptions, connect } from '@nats-io/transport-node';
import { POLICIES_STREAM, type PolicyUpdated, SUBJECTS } from '@switchyard/contracts';
import { ensureStream } from '@switchyard/messaging';
import { mongoConnectOptions, PolicyVersionRepository, RouterModelRepository } from '@switchyard/persistence';
import { loadPolicyText, storedModelsNamedBy } from '@switchyard/policy-store';
import { LearnedRouter, type PolicyTrust } from '@switchyard/routing';
import mongoose from 'mongoose';

export interface PublishPolicyOptions {
  file: string;
  /** How to reach NATS as the operator (the admin user of deploy/k8s/nats/nats-server.conf). */
  nats: ConnectionOptions;
  mongoUri: string;
  /** Where to publish; the project's stream and subject unless a test gives its own. */
  updates?: { stream: string; subject: string };
  /** The services' limits on what a policy may point at (POLICY_KEY_ENV_PREFIX, POLICY_ALLOWED_HOSTS). */
  trust?: PolicyTrust;
}

const out = (line = '') => process.stdout.write(`${line}\n`);

/**
 * Validates a policy file the way the services will (compiled, learned artifact and canary candidate
 * loaded), keeps it in MongoDB (`policies`), and publishes it on router.policy.updated.v1: every
 * decision-engine and provider-adapters replica switches to it without a restart, and replicas started
 * later load it too. A version already published is refused: give the new one its own.
 */
export async function runPublishPolicy(opts: PublishPolicyOptions): Promise<number> {
  const file = resolve(opts.file);
  return publishPolicyText({ ...opts, text: readFileSync(file, 'utf8'), source: opts.file, baseDir: dirname(file) });
}

export interface PublishPolicyTextOptions extends Omit<PublishPolicyOptions, 'file'> {
  text: string;
  /** Names the text in messages and errors (its file, or what made it). */
  source: string;
  /** Where relative paths in it (learned.artifact, canary.policy) resolve. */
  baseDir: string;
}

/** Validates, stores and publishes policy text (a file's, or one made by `policy apply-suggestion`). */
export async function publishPolicyText(opts: PublishPolicyTextOptions): Promise<number> {
  const stored = await fetchStoredRouters(opts.text, opts.mongoUri);
  const loaded = loadPolicyText(opts.text, opts.baseDir, opts.source, opts.trust, { stored: (v) => stored.get(v) });
  const version = loaded.policy.version;
  out(
    `${opts.source}: policy ${version} is valid (${loaded.policy.models.size} models, ${loaded.policy.rules.length} rules${loaded.learned ? `, learned ${loaded.learned.router.version}` : ''}${loaded.canary ? `, canary ${loaded.canary.candidate.policy.version} at ${loaded.canary.settings.percent}%` : ''})`,
  );
  const yaml = opts.text;
  const publishedAt = Date.now();
  const publishedBy = userInfo().username;

  const db = await mongoose.createConnection(opts.mongoUri, mongoConnectOptions(opts.mongoUri)).asPromise();
  try {
    const repository = new PolicyVersionRepository(db);
    await repository.ensureIndexes();
    const stored = await repository.saveOnce({ version, yaml, publishedAt: new Date(publishedAt), publishedBy });
    if (!stored) {
      const existing = await repository.findByVersion(version);
      if (existing?.yaml !== yaml) {
        process.stderr.write(
          `policy ${version} was already published with other content; change "version" and publish again\n`,
        );
        return 1;
      }
      out(`policy ${version} was already stored; publishing it again`);
    } else out(`stored in MongoDB (policies/${version})`);
  } finally {
    await db.close();
  }

  const nc = await connect(opts.nats);
  try {
    const { stream, subject } = opts.updates ?? { stream: POLICIES_STREAM.name, subject: SUBJECTS.policyUpdated };
    await ensureStream(await jetstreamManager(nc), { ...POLICIES_STREAM, name: stream, subjects: [subject] });
    const event: PolicyUpdated = { version, yaml, publishedAt, publishedBy };
    const ack = await jetstream(nc).publish(subject, JSON.stringify(event), { msgID: `${version}@${publishedAt}` });
    out(
      `published on ${subject} (stream ${ack.stream}, seq ${ack.seq}); replicas log "policy ${version} published and applied", or refuse it on ${SUBJECTS.policyRejected}`,
    );
  } finally {
    await nc.close();
  }
  return 0;
}

/** The model-store routers a policy names (`learned.model`), read to validate it as the replicas will load it. */
async function fetchStoredRouters(text: string, mongoUri: string): Promise<Map<string, LearnedRouter>> {
  const routers = new Map<string, LearnedRouter>();
  const named = storedModelsNamedBy(text);
  if (named.length === 0) return routers;
  const db = await mongoose.createConnection(mongoUri, mongoConnectOptions(mongoUri)).asPromise();
  try {
    const store = new RouterModelRepository(db);
    for (const version of named) {
      try {
        routers.set(version, new LearnedRouter((await store.load(version)) as LearnedRouter['artifact']));
      } catch (err) {
        process.stderr.write(`learned router ${version}: ${(err as Error).message}\n`);
      }
    }
  } finally {
    await db.close();
  }
  return routers;
}
