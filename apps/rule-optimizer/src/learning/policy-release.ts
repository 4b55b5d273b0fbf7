import { readFileSync } from 'node:fs';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { POLICIES_STREAM, type PolicyUpdated, SUBJECTS, policyUpdatedSchema } from '@switchyard/contracts';
import { EventPublisher, NATS_CONNECTION } from '@switchyard/messaging';
import { PolicyVersionRepository } from '@switchyard/persistence';
import { parse, stringify } from 'yaml';
import { OPTIMIZER_CONFIG, type OptimizerConfig } from '../config';

/** The policy every replica is on: the newest on ROUTER_POLICIES, else POLICY_FILE's. */
export interface PolicyInForce {
  version: string;
  yaml: string;
  /** Where it came from: `published` (the stream) or the file's path. */
  source: string;
}

/**
 * Reads the policy in force and releases new ones for the learning loop. The stream, not the policies
 * collection, says what is in force: a release is one JetStream publish (de-duplicated by version), stored in
 * the collection after, for history.
 */
@Injectable()
export class PolicyRelease {
  private readonly logger = new Logger(PolicyRelease.name);

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(OPTIMIZER_CONFIG) private readonly config: OptimizerConfig,
    private readonly publisher: EventPublisher,
    private readonly policies: PolicyVersionRepository,
  ) {}

  async inForce(): Promise<PolicyInForce> {
    const jsm = await jetstreamManager(this.nc);
    const last = await jsm.streams
      .getMessage(POLICIES_STREAM.name, { last_by_subj: SUBJECTS.policyUpdated })
      .catch(() => null);
    if (last) {
      const event = policyUpdatedSchema.parse(JSON.parse(Buffer.from(last.data).toString('utf8')));
      return { version: event.version, yaml: event.yaml, source: 'published' };
    }
    const yaml = readFileSync(this.config.POLICY_FILE, 'utf8');
    const version = String((parse(yaml) as { version?: unknown } | null)?.version ?? '(no version)');
    return { version, yaml, source: this.config.POLICY_FILE };
  }

  /** Publishes a policy document (already validated by the caller) to every replica; returns its version. */
  async publish(document: Record<string, unknown>, by: string): Promise<string> {
    const version = String(document['version']);
    const yaml = stringify(document);
    const event: PolicyUpdated = { version, yaml, publishedAt: Date.now(), publishedBy: by };
    await this.publisher.publishDurable(SUBJECTS.policyUpdated, event, `policy:${version}`);
    await this.policies
      .saveOnce({ version, yaml, publishedAt: new Date(event.publishedAt), publishedBy: by })
      .catch((err: Error) => this.logger.warn(`policy ${version} published but not stored: ${err.message}`));
    this.logger.log(`policy ${version} published by ${by}`);
    return version;
  }
}
