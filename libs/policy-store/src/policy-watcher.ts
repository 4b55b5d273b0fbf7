import { dirname, resolve } from 'node:path';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { type ConsumerMessages, DeliverPolicy, type JsMsg, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { POLICIES_STREAM, type PolicyRejected, SUBJECTS, policyUpdatedSchema } from '@switchyard/contracts';
import { EventPublisher, NATS_CONNECTION } from '@switchyard/messaging';
import { PolicyError } from '@switchyard/routing';
import { loadPolicyText, storedModelsNamedBy } from './policy-loader';
import { PolicyStore } from './policy-store';
import { POLICY_STORE_OPTIONS, type PolicyStoreOptions } from './policy-store.options';
import { StoredRouters } from './stored-routers';

/** How soon a policy refused for a router the store could not give is tried again: then twice as late, up to max. */
export const DEFAULT_REFETCH_MS = { first: 5_000, max: 60_000 };

/**
 * Keeps this replica on the newest published policy: at start-up it applies the last one on the
 * ROUTER_POLICIES stream (so a replica started later agrees with the others), then follows new ones with
 * an ordered consumer of its own (every replica sees every policy). An invalid policy never replaces a
 * valid one: the old one keeps serving, and the refusal is logged and published.
 */
@Injectable()
export class PolicyWatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PolicyWatcher.name);
  private messages: ConsumerMessages | undefined;
  private loop: Promise<void> | undefined;
  /** The newest policy received: a retry of an older one gives way to it. */
  private newest: Uint8Array | undefined;
  private refetch: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(POLICY_STORE_OPTIONS) private readonly options: PolicyStoreOptions,
    private readonly store: PolicyStore,
    private readonly publisher: EventPublisher,
    /** Shared with the store's start: the file's routers are not fetched twice. */
    private readonly routers: StoredRouters,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { stream, subject } = this.options.updates ?? {
      stream: POLICIES_STREAM.name,
      subject: SUBJECTS.policyUpdated,
    };
    const jsm = await jetstreamManager(this.nc);
    // No message yet is the normal first-deployment case: the file's policy stays.
    const last = await jsm.streams.getMessage(stream, { last_by_subj: subject }).catch(() => null);
    if (last) await this.apply(last.data, 'applied from the newest published');
    const consumer = await jetstream(this.nc).consumers.get(stream, {
      filter_subjects: subject, // a string, not an array: servers before 2.10 take one filter only
      ...(last
        ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: last.seq + 1 }
        : { deliver_policy: DeliverPolicy.New }),
    });
    const messages = await consumer.consume();
    this.messages = messages;
    this.loop = (async () => {
      for await (const m of messages) await this.apply((m as JsMsg).data, 'published and applied');
    })();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.cancelRefetch();
    this.messages?.stop();
    await this.loop;
  }

  /**
   * Applies one published policy, or refuses it and keeps the current one. The learned routers it names in
   * the model store are fetched first (the policy in force serves meanwhile). Refused because the store did not
   * answer for a router it names, it is tried again after `refetchMs` (doubling up to its max) until it is
   * applied, refused for another reason, or a newer policy arrives; the refusal is published once.
   */
  async apply(data: Uint8Array, how: string, attempt = 0): Promise<boolean> {
    if (attempt === 0) {
      this.newest = data;
      this.cancelRefetch();
    } else if (this.newest !== data) return false; // a newer policy came meanwhile
    const kept = this.store.current().version;
    let version = '(unreadable)';
    let unfetched: string[] = [];
    try {
      const event = policyUpdatedSchema.parse(JSON.parse(Buffer.from(data).toString('utf8')));
      version = event.version;
      const learned = this.options.learned ?? 'load';
      const baseDir = dirname(resolve(this.options.file));
      const named = learned === 'load' ? storedModelsNamedBy(event.yaml, baseDir) : [];
      unfetched = await this.routers.fetch(named);
      if (this.newest !== data) return false;
      const loaded = loadPolicyText(event.yaml, baseDir, `published policy ${event.version}`, this.options.trust, {
        learned,
        stored: this.routers.available ? (v) => this.routers.get(v) : undefined,
      });
      if (loaded.policy.version !== event.version)
        throw new PolicyError([
          {
            field: 'version',
            message: `the document says "${loaded.policy.version}" but was published as "${event.version}"`,
          },
        ]);
      this.store.replace(loaded, attempt > 0 ? `${how} (once its learned router could be fetched)` : how);
      this.routers.retain(named);
      return true;
    } catch (err) {
      const problems =
        err instanceof PolicyError ? err.problems : [{ field: '(event)', message: (err as Error).message }];
      const said = problems.map((p) => `${p.field}: ${p.message}`).join('; ');
      if (unfetched.length > 0) this.refetchLater(data, how, attempt + 1, unfetched);
      if (attempt > 0) {
        this.logger.warn(`policy ${version} still refused, ${kept} keeps serving: ${said}`);
        return false;
      }
      this.logger.error(`policy ${version} refused, ${kept} keeps serving: ${said}`);
      const rejected: PolicyRejected = {
        version,
        service: this.options.service ?? 'unknown',
        keptVersion: kept,
        problems,
        rejectedAt: Date.now(),
      };
      this.publisher.publish(SUBJECTS.policyRejected, rejected);
      return false;
    }
  }

  private refetchLater(data: Uint8Array, how: string, attempt: number, unfetched: string[]): void {
    if (this.stopped) return; // a retry that was under way at shutdown
    const { first, max } = this.options.refetchMs ?? DEFAULT_REFETCH_MS;
    const delay = Math.min(first * 2 ** (attempt - 1), max);
    this.logger.warn(
      `learned router ${unfetched.join(', ')} not fetched: the policy naming it is tried again in ${delay} ms`,
    );
    this.refetch = setTimeout(() => {
      this.refetch = undefined;
      void this.apply(data, how, attempt);
    }, delay);
    this.refetch.unref();
  }

  private cancelRefetch(): void {
    if (this.refetch) clearTimeout(this.refetch);
    this.refetch = undefined;
  }
}
