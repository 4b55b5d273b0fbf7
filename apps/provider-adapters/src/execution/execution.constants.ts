/** Multi-provider token: every ProviderAdapter this service can run, one per provider kind. */
export const PROVIDER_ADAPTERS = Symbol('PROVIDER_ADAPTERS');
