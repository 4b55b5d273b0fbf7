import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { TenantAuthenticator } from './tenant-authenticator';
import { TenantKeyCache, TenantKeysIndicator } from './tenant-key-cache';
import { TENANCY_OPTIONS, type TenancyOptions } from './tenancy.options';

/**
 * Who a caller is: TenantAuthenticator over the keys in force (TenantKeyCache, readiness TenantKeysIndicator).
 * Needs PersistenceModule and MessagingModule when it authenticates; with `authenticate: false` it needs
 * neither, and says loudly that nothing is checked.
 */
@Module({})
export class TenancyModule {
  static forRoot(options: TenancyOptions): DynamicModule {
    if (!options.authenticate) {
      new Logger(TenancyModule.name).warn(
        'AUTH=off: requests are NOT authenticated and choose their own tenant (payload "tenant" or the ' +
          'x-switchyard-tenant header). For local development only: never let anyone else reach this service.',
      );
      return {
        exports: [TenantAuthenticator],
        global: true,
        module: TenancyModule,
        providers: [
          { provide: TenantAuthenticator, useValue: new TenantAuthenticator(undefined, options.defaultTenant) },
        ],
      };
    }
    return {
      exports: [TenantAuthenticator, TenantKeyCache, TenantKeysIndicator],
      global: true,
      module: TenancyModule,
      providers: [
        TenantKeyCache,
        TenantKeysIndicator,
        { provide: TENANCY_OPTIONS, useValue: options },
        {
          inject: [TenantKeyCache],
          provide: TenantAuthenticator,
          useFactory: (keys: TenantKeyCache) => new TenantAuthenticator(keys, options.defaultTenant),
        },
      ],
    };
  }
}
