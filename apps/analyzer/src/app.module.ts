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
        MessagingModule.forRoot({ service: SERVICE, url: config.NATS_URL }),
      ],
      module: AppModule,
    };
  }
}
