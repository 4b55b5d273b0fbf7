import { Inject, Injectable, Logger } from '@nestjs/common';
import type { CompiledPolicy } from '@switchyard/routing';
import { type LoadedPolicy, type PolicyForRequest, loadPolicyFile, policyForRequest } from './policy-loader';
import { POLICY_STORE_OPTIONS, type PolicyStoreOptions } from './policy-store.options';

/**
 * The routing policy in force in this process. Replaced whole by a newer published policy: a request that
 * already took the old one finishes with it, the next one gets the new one, nothing is dropped.
 */
@Injectable()
export class PolicyStore {
  private readonly logger = new Logger(PolicyStore.name);
  private loaded: LoadedPolicy;

  /**
   * `initial`: the file's policy loaded already (PolicyStoreModule fetches the stored routers it names
   * first); without it the file is loaded here, and a stored router it names is refused.
   */
  constructor(
    @Inject(POLICY_STORE_OPTIONS) readonly options: PolicyStoreOptions,
    initial?: LoadedPolicy,
  ) {
    this.loaded = initial ?? loadPolicyFile(options.file, options.trust, { learned: options.learned });
    this.describe('loaded from ' + options.file);
  }

  current(): CompiledPolicy {
    return this.loaded.policy;
  }

  /** The policy (control or canary candidate) that routes a request of this tenant and user. */
  forRequest(tenant: string, user?: string): PolicyForRequest {
    return policyForRequest(this.loaded, tenant, user);
  }

  /**
   * The policy that made a decision: the canary's candidate when `policyVersion` is its version, otherwise
   * the policy in force (a decision of an older policy runs on the current one's models).
   */
  byVersion(policyVersion: string): CompiledPolicy {
    const candidate = this.loaded.canary?.candidate.policy;
    return candidate && policyVersion === candidate.version ? candidate : this.loaded.policy;
  }

  /** Puts a validated policy in force. */
  replace(loaded: LoadedPolicy, how: string): void {
    this.loaded = loaded;
    this.describe(how);
  }

  private describe(how: string): void {
    const { policy, learned, canary } = this.loaded;
    this.logger.log(
      `policy ${policy.version} ${how}: ${policy.models.size} models, ${policy.rules.length} rules` +
        (learned ? `, learned router ${learned.router.version}` : '') +
        (canary ? `, canary ${canary.candidate.policy.version} at ${canary.settings.percent}%` : ''),
    );
  }
}
