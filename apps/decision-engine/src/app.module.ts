import { EVENTS_STREAM, POLICIES_STREAM } from '@switchyard/contracts';
import { type DynamicModule, Module } from '@nestjs/common';
import { MessagingModule, NatsHealthIndicator } from '@switchyard/messaging';
import { PolicyStoreModule, policyTrustOf } from '@switchyard/policy-store';
import { HealthModule, RedisHealthIndicator } from '@switchyard/runtime';
import { type DecisionConfig, SERVICE } from './config';
import { DecisionModule } from './decision/decision.module';
import { ModelStoreModule } from './model-store.module';

@Module({})
export class AppModule {
  static forConfig(config: DecisionConfig): DynamicModule {
    return {
      imports: [
        DecisionModule.forConfig(config),
        HealthModule.forRoot([NatsHealthIndicator, RedisHealthIndicator]),
        MessagingModule.forRoot({
          auth: config,
          service: SERVICE,
          // The streams this service writes to or reads, made sure of at start-up (its NATS user may touch no others).
          streams: [EVENTS_STREAM, POLICIES_STREAM],
          url: config.NATS_URL,
          // What of a request's text its completion events carry (RECORD_PROMPTS).
          recordPrompts: config.RECORD_PROMPTS,
        }),
        ModelStoreModule.forRoot(config.MONGODB_URI),
        PolicyStoreModule.forRoot({
          file: config.POLICY_FILE,
          service: SERVICE,
          trust: policyTrustOf(config),
          watch: config.POLICY_WATCH,
        }),
      ],
      module: AppModule,
    };
  }
}
