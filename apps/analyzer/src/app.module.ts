import { EVENTS_STREAM } from '@switchyard/contracts';
import { type DynamicModule, Module } from '@nestjs/common';
import { MessagingModule, NatsHealthIndicator } from '@switchyard/messaging';
import { HealthModule } from '@switchyard/runtime';
import { AnalysisModule } from './analysis/analysis.module';
import { type AnalyzerConfig, SERVICE } from './config';

@Module({})
export class AppModule {
  static forConfig(config: AnalyzerConfig): DynamicModule {
    return {
      imports: [
        AnalysisModule,
        HealthModule.forRoot([NatsHealthIndicator]),
        MessagingModule.forRoot({
          auth: config,
          service: SERVICE,
          // The streams this service writes to or reads, made sure of at start-up (its NATS user may touch no others).
          streams: [EVENTS_STREAM],
          url: config.NATS_URL,
          // What of a request's text its completion events carry (RECORD_PROMPTS).
          recordPrompts: config.RECORD_PROMPTS,
        }),
      ],
      module: AppModule,
    };
  }
}
