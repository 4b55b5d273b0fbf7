import { type DynamicModule, Module } from '@nestjs/common';
import { PolicyStore } from './policy-store';
import { POLICY_STORE_OPTIONS, type PolicyStoreOptions } from './policy-store.options';
import { PolicyWatcher } from './policy-watcher';
import { ROUTER_MODEL_SOURCE, type RouterModelSource, StoredRouters, loadPolicyFileWithStore } from './stored-routers';

@Module({})
export class PolicyStoreModule {
  /**
   * The policy from its file; with `watch`, replaced by policies published on router.policy.updated.v1.
   * Learned routers the file or a published policy names by model-store version are read through the
   * RouterModelSource bound to ROUTER_MODEL_SOURCE (decision-engine's ModelStoreModule), the file's before
   * the application starts.
   */
  static forRoot(options: PolicyStoreOptions): DynamicModule {
    return {
      exports: [PolicyStore],
      global: true,
      module: PolicyStoreModule,
      providers: [
        {
          inject: [{ token: ROUTER_MODEL_SOURCE, optional: true }],
          provide: StoredRouters,
          useFactory: (source?: RouterModelSource) => new StoredRouters(source),
        },
        {
          inject: [StoredRouters],
          provide: PolicyStore,
          useFactory: async (routers: StoredRouters) =>
            new PolicyStore(
              options,
              await loadPolicyFileWithStore(options.file, options.trust, options.learned ?? 'load', routers),
            ),
        },
        ...(options.watch ? [PolicyWatcher] : []),
        { provide: POLICY_STORE_OPTIONS, useValue: options },
      ],
    };
  }
}
