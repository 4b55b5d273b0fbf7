import { type DynamicModule, Module } from '@nestjs/common';
import { EVENTS_STREAM } from '@switchyard/contracts';
import { MessagingModule, NatsHealthIndicator } from '@switchyard/messaging';
import { MongoHealthIndicator, PersistenceModule } from '@switchyard/persistence';
import { HealthModule } from '@switchyard/runtime';
import { type AggregatorConfig, SERVICE } from './config';
import { RecordsModule } from './records/records.module';

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
            name: config.DURABLE_NAME,
            start: config.CONSUMER_START,
            stream: EVENTS_STREAM.name,
          },
          service: SERVICE,
          url: config.NATS_URL,
        }),
        PersistenceModule.forRoot(config.MONGODB_URI),
        RecordsModule,
      ],
      module: AppModule,
    };
  }
}
