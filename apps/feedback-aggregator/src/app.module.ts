import { type DynamicModule, Module } from '@nestjs/common';
import { DEAD_LETTER_STREAM, EVENTS_STREAM } from '@switchyard/contracts';
import { MessagingModule, NatsHealthIndicator } from '@switchyard/messaging';
import { MongoHealthIndicator, PersistenceModule, isStoreUnavailable } from '@switchyard/persistence';
import { HealthModule } from '@switchyard/runtime';
import { TenancyModule } from '@switchyard/tenancy';
import { type AggregatorConfig, SERVICE } from './config';
import { RecordsModule } from './records/records.module';
import { StatsModule } from './stats/stats.module';

@Module({})
export class AppModule {
  static forConfig(config: AggregatorConfig): DynamicModule {
    return {
      imports: [
        HealthModule.forRoot([MongoHealthIndicator, NatsHealthIndicator]),
        MessagingModule.forRoot({
          durable: {
            ackWaitMs: config.CONSUMER_ACK_WAIT_MS,
            concurrency: config.CONSUMER_CONCURRENCY,
            isTransient: isStoreUnavailable,
            maxDeliver: config.CONSUMER_MAX_DELIVER,
            name: config.DURABLE_NAME,
            start: config.CONSUMER_START,
            stream: EVENTS_STREAM.name,
          },
          auth: config,
          service: SERVICE,
          streams: [EVENTS_STREAM, DEAD_LETTER_STREAM],
          url: config.NATS_URL,
        }),
        PersistenceModule.forRoot(config.MONGODB_URI, {
          rollups: { flushIntervalMs: config.ROLLUP_FLUSH_MS },
          records: { completionLingerMs: config.RECORD_WRITE_LINGER_MS },
        }),
        RecordsModule.forConfig(config),
        StatsModule.forOptions({ hourlyDays: config.ROLLUP_HOURLY_DAYS }),
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
