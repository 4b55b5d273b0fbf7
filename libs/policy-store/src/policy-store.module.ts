import { type DynamicModule, Module } from '@nestjs/common';
import { PolicyStore } from './policy-store';
import { POLICY_STORE_OPTIONS, type PolicyStoreOptions } from './policy-store.options';
import { PolicyWatcher } from './policy-watcher';

@Module({})
export class PolicyStoreModule {
  /** The policy from its file; with `watch`, replaced by policies published on router.policy.updated.v1. */
  static forRoot(options: PolicyStoreOptions): DynamicModule {
    return {
      exports: [PolicyStore],
      global: true,
      module: PolicyStoreModule,
      providers: [
        PolicyStore,
        ...(options.watch ? [PolicyWatcher] : []),
        { provide: POLICY_STORE_OPTIONS, useValue: options },
      ],
    };
  }
}
