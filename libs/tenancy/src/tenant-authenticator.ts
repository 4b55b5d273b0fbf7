import { RouterError, TENANT_PATTERN, TENANT_RULE } from '@switchyard/contracts';

/** Where keys are checked: who holds a key, once the keys have been loaded. */
export interface TenantKeyLookup {
  readonly loaded: boolean;
  holderOf(key: string): { tenant: string; admin: boolean } | undefined;
}

/** Seconds a caller should wait when keys cannot be checked yet. */
const KEYS_NOT_LOADED_RETRY_SECONDS = 5;

/**
 * Decides which tenant a request belongs to. With authentication on (the default) the key is required and
 * names the tenant; a tenant named in the payload or header must be that one. With AUTH=off (local
 * development only) every request is taken under the tenant it names, or the default.
 */
export class TenantAuthenticator {
  constructor(
    /** undefined when authentication is off. */
    private readonly keys: TenantKeyLookup | undefined,
    private readonly defaultTenant: string,
  ) {}

  get authenticating(): boolean {
    return this.keys !== undefined;
  }

  authenticate(claimedTenant: string | undefined, authorization: string | undefined): string {
    if (claimedTenant !== undefined && !TENANT_PATTERN.test(claimedTenant))
      throw new RouterError('invalid_request', `tenant: ${TENANT_RULE}`, 'tenant');
    if (!this.keys) return claimedTenant ?? this.defaultTenant;
    const { tenant } = this.holder(authorization);
    if (claimedTenant !== undefined && claimedTenant !== tenant)
      throw new RouterError('unknown_tenant', `the API key does not belong to tenant "${claimedTenant}"`, 'tenant');
    return tenant;
  }

  /**
   * Who holds a key: its tenant, and whether it is an admin key (what spans tenants). With AUTH=off every
   * caller is taken as an admin of the default tenant: local development only.
   */
  identify(authorization: string | undefined): { tenant: string; admin: boolean } {
    if (!this.keys) return { tenant: this.defaultTenant, admin: true };
    return this.holder(authorization);
  }

  /** Admits only an admin key (what spans tenants: optimizer reports, every tenant's stats). */
  requireAdmin(authorization: string | undefined): { tenant: string; admin: true } {
    if (!this.keys) return { tenant: this.defaultTenant, admin: true };
    const holder = this.holder(authorization);
    if (!holder.admin)
      throw new RouterError(
        'unknown_tenant',
        `this takes an admin key; the key of tenant "${holder.tenant}" is not one`,
      );
    return { tenant: holder.tenant, admin: true };
  }

  private holder(authorization: string | undefined): { tenant: string; admin: boolean } {
    const keys = this.keys as TenantKeyLookup;
    const key = authorization?.replace(/^Bearer\s+/i, '').trim();
    if (!key) throw new RouterError('unauthorized', 'an API key is required: send "Authorization: Bearer <key>"');
    if (!keys.loaded)
      throw new RouterError(
        'unavailable',
        'API keys cannot be checked yet (their store has not answered since this service started); retry',
        undefined,
        KEYS_NOT_LOADED_RETRY_SECONDS,
      );
    const holder = keys.holderOf(key);
    if (!holder) throw new RouterError('unauthorized', 'the API key is not valid (unknown or revoked)');
    return holder;
  }
}
