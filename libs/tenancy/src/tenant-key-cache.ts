import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SUBJECTS } from '@switchyard/contracts';
import { OnSubjectEveryReplica } from '@switchyard/messaging';
import { type KeyHolder, TenantKeyRepository, hashTenantKey } from '@switchyard/persistence';
import type { ReadinessIndicator } from '@switchyard/runtime';
import type { TenantKeyLookup } from './tenant-authenticator';
import { TENANCY_OPTIONS, type TenancyOptions } from './tenancy.options';

/**
 * The tenant keys in force, as hashes in memory: no database round trip on the request path, and requests
 * keep being authenticated while MongoDB is away (keys it had loaded). Reloaded every TENANT_KEYS_REFRESH_SECONDS and at once
 * when `switchyard keys` announces a change on router.tenant-keys.changed.v1 (every replica hears it).
 */
@Injectable()
export class TenantKeyCache implements TenantKeyLookup, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TenantKeyCache.name);
  private hashes: ReadonlyMap<string, KeyHolder> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly repository: TenantKeyRepository,
    @Inject(TENANCY_OPTIONS) private readonly options: TenancyOptions,
  ) {}

  get loaded(): boolean {
    return this.hashes !== undefined;
  }

  holderOf(key: string): KeyHolder | undefined {
    return this.hashes?.get(hashTenantKey(key));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.reload('at start-up');
    this.timer = setInterval(() => void this.reload('on schedule'), this.options.refreshSeconds * 1000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  @OnSubjectEveryReplica(SUBJECTS.tenantKeysChanged)
  async onKeysChanged(): Promise<void> {
    await this.reload('on notice');
  }

  /** Never throws: a failed reload keeps the keys it had (and says so). */
  async reload(why: string): Promise<void> {
    try {
      const before = this.hashes?.size;
      this.hashes = await this.repository.activeHashes();
      if (before !== this.hashes.size) this.logger.log(`${this.hashes.size} tenant keys in force (reloaded ${why})`);
    } catch (err) {
      this.logger.warn(
        `tenant keys not reloaded ${why}: ${(err as Error).message}; ` +
          (this.hashes
            ? `keeping the ${this.hashes.size} loaded before`
            : 'requests with keys get 503 until they load'),
      );
    }
  }
}

/** Ready once the keys have been loaded (authentication on): before that every keyed request gets 503. */
@Injectable()
export class TenantKeysIndicator implements ReadinessIndicator {
  readonly name = 'tenant-keys';
  constructor(private readonly cache: TenantKeyCache) {}
  async check(): Promise<void> {
    if (!this.cache.loaded) throw new Error('not loaded yet: MongoDB has not answered since start-up');
  }
}
