import { type DynamicModule, Module } from '@nestjs/common';
import { POLICIES_STREAM } from '@switchyard/contracts';
import { MessagingModule, NatsHealthIndicator } from '@switchyard/messaging';
import { MongoHealthIndicator, PersistenceModule, SCAN_MONGO_SOCKET_TIMEOUT_MS } from '@switchyard/persistence';
import { HealthModule, RedisHealthIndicator } from '@switchyard/runtime';
import { TenancyModule } from '@switchyard/tenancy';
import { type OptimizerConfig, SERVICE } from './config';
import { JobsModule } from './jobs/jobs.module';

@Module({})
export class AppModule {
  static forConfig(config: OptimizerConfig): DynamicModule {
    const jobs = JobsModule.forConfig(config);
    return {
      imports: [
        HealthModule.forRoot([MongoHealthIndicator, NatsHealthIndicator, RedisHealthIndicator]),
        jobs,
        MessagingModule.forRoot({
          auth: config,
          service: SERVICE,
          // The streams this service writes to or reads, made sure of at start-up (its NATS user may touch no others).
          streams: [POLICIES_STREAM],
          url: config.NATS_URL,
        }),
        // Its jobs scan the records: a round trip may read a whole collection on FerretDB.
        PersistenceModule.forRoot(config.MONGODB_URI, { socketTimeoutMs: SCAN_MONGO_SOCKET_TIMEOUT_MS }),
        TenancyModule.forRoot({
          authenticate: config.AUTH === 'on',
          defaultTenant: 'default',
          refreshSeconds: config.TENANT_KEYS_REFRESH_SECONDS,
        }),
      ],
      module: AppModule,
    };
  }
}
