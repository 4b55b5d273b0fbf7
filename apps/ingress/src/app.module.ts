import { type DynamicModule, Module } from '@nestjs/common';
import { EVENTS_STREAM } from '@switchyard/contracts';
import { MessagingModule, NatsHealthIndicator } from '@switchyard/messaging';
import { PersistenceModule } from '@switchyard/persistence';
import { HealthModule, RedisHealthIndicator } from '@switchyard/runtime';
import { TenancyModule, TenantKeysIndicator } from '@switchyard/tenancy';
import { type IngressConfig, SERVICE } from './config';
import { IngressModule } from './ingress.module';

@Module({})
export class AppModule {
  static forConfig(config: IngressConfig): DynamicModule {
    const auth = config.AUTH === 'on';
    return {
      imports: [
        HealthModule.forRoot([NatsHealthIndicator, RedisHealthIndicator, ...(auth ? [TenantKeysIndicator] : [])]),
        IngressModule.forConfig(config),
        MessagingModule.forRoot({
          auth: config,
          service: SERVICE,
          // The streams this service writes to or reads, made sure of at start-up (its NATS user may touch no others).
          streams: [EVENTS_STREAM],
          url: config.NATS_URL,
        }),
        // Tenant keys (hashed) live in MongoDB; without authentication ingress needs no database.
        ...(auth ? [PersistenceModule.forRoot(config.MONGODB_URI)] : []),
        TenancyModule.forRoot({
          authenticate: auth,
          defaultTenant: config.DEFAULT_TENANT,
          refreshSeconds: config.TENANT_KEYS_REFRESH_SECONDS,
        }),
      ],
      module: AppModule,
    };
  }
}
