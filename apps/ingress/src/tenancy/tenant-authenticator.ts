import { RouterError } from '@switchyard/contracts';

/**
 * Decides which tenant a request belongs to. Without configured keys every request is accepted under the
 * tenant it names (or the default). With keys, the key is required, names the tenant, and a tenant in the
 * payload must be that one.
 */
export class TenantAuthenticator {
  constructor(
    /** key -> tenant; undefined when authentication is off. */
    private readonly keys: ReadonlyMap<string, string> | undefined,
    private readonly defaultTenant: string,
  ) {}

  authenticate(claimedTenant: string | undefined, authorization: string | undefined): string {
    if (!this.keys) return claimedTenant ?? this.defaultTenant;
    const key = authorization?.replace(/^Bearer\s+/i, '').trim();
    const known = new Set(this.keys.values());
    if (claimedTenant !== undefined && !known.has(claimedTenant))
      throw new RouterError('unknown_tenant', `tenant "${claimedTenant}" is not known here`, 'tenant');
    if (!key) throw new RouterError('unauthorized', 'an API key is required: send "Authorization: Bearer <key>"');
    const tenant = this.keys.get(key);
    if (!tenant) throw new RouterError('unauthorized', 'the API key is not valid');
    if (claimedTenant !== undefined && claimedTenant !== tenant)
      throw new RouterError('unknown_tenant', `the API key does not belong to tenant "${claimedTenant}"`, 'tenant');
    return tenant;
  }
}
