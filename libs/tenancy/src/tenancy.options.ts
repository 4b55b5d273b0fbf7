export const TENANCY_OPTIONS = Symbol('TENANCY_OPTIONS');

export interface TenancyOptions {
  /** How often the keys in force are reloaded (a change announced over NATS reaches every replica at once). */
  refreshSeconds: number;
  /** `false` (AUTH=off, local development only): requests choose their tenant and nothing is checked. */
  authenticate: boolean;
  /** The tenant of requests that name none, when nothing is checked. */
  defaultTenant: string;
}
