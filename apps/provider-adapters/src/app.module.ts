import { EVENTS_STREAM, POLICIES_STREAM } from '@switchyard/contracts';
import { type DynamicModule, Module } from '@nestjs/common';
import { MessagingModule, NatsHealthIndicator, RecordsStoreIndicator } from '@switchyard/messaging';
import { PolicyStoreModule, policyTrustOf } from '@switchyard/policy-store';
import { HealthModule, RedisHealthIndicator } from '@switchyard/runtime';
import { type AdaptersConfig, SERVICE } from './config';
import { ExecutionModule } from './execution/execution.module';

@Module({})
export class AppModule {
  static forConfig(config: AdaptersConfig, env: NodeJS.ProcessEnv): DynamicModule {
    return {
      imports: [
        ExecutionModule.forConfig(config, env),
        HealthModule.forRoot([NatsHealthIndicator, RecordsStoreIndicator, RedisHealthIndicator]),
        MessagingModule.forRoot({
          auth: config,
          service: SERVICE,
          // The streams this service writes to or reads, made sure of at start-up (its NATS user may touch no others).
          streams: [EVENTS_STREAM, POLICIES_STREAM],
          url: config.NATS_URL,
          // What of a request's text its completion events carry (RECORD_PROMPTS).
          recordPrompts: config.RECORD_PROMPTS,
        }),
        PolicyStoreModule.forRoot({
          file: config.POLICY_FILE,
          // Plans name their models; the learned level's weights are decision-engine's business.
          learned: 'skip',
          service: SERVICE,
          trust: policyTrustOf(config),
          watch: config.POLICY_WATCH,
        }),
      ],
      module: AppModule,
    };
  }
}
