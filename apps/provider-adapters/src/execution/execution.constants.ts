/** Multi-provider token: every ProviderAdapter this service can run, one per provider kind. */
export const PROVIDER_ADAPTERS = Symbol('PROVIDER_ADAPTERS');
export const ROUTING_STATE = Symbol('ROUTING_STATE');
export const TENANT_LIMITS = Symbol('TENANT_LIMITS');
export const ADAPTERS_REDIS = Symbol('ADAPTERS_REDIS');
export const PROVIDER_SECRETS = Symbol('PROVIDER_SECRETS');
