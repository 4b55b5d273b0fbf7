export const POLICY_STORE_OPTIONS = Symbol('POLICY_STORE_OPTIONS');

import type { PolicyTrust } from '@switchyard/routing';

export interface PolicyStoreOptions {
  /** Path of the policy YAML, relative to the working directory or absolute. */
  file: string;
  /** Follow policies published on router.policy.updated.v1 (needs MessagingModule). */
  watch?: boolean;
  /** This service's name, for router.policy.rejected.v1. */
  service?: string;
  /** Where policies are published; the project's ROUTER_POLICIES stream by default (tests use their own). */
  updates?: { stream: string; subject: string };
  /** What the policy's models may point at (keys, hosts); DEFAULT_POLICY_TRUST when not given. */
  trust?: PolicyTrust;
  /**
   * `skip`: do not load learned routers (a service that does not route: provider-adapters). Default `load`;
   * routers named by model-store version need a RouterModelSource bound to ROUTER_MODEL_SOURCE.
   */
  learned?: 'load' | 'skip';
  /**
   * How soon a published policy refused only because a learned router it names could not be fetched is tried
   * again (then twice as late each time, up to `max`); DEFAULT_REFETCH_MS when not given.
   */
  refetchMs?: { first: number; max: number };
}
