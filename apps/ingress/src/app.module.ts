import { type DynamicModule, Module } from '@nestjs/common';
import { MessagingModule, NatsHealthIndicator } from '@switchyard/messaging';
import { HealthModule, RedisHealthIndicator } from '@switchyard/runtime';
import { type IngressConfig, SERVICE } from './config';
import { IngressModule } from './ingress.module';

@Module({})
export class AppModule {
  static forConfig(config: IngressConfig): DynamicModule {
    return {
      imports: [
        HealthModule.forRoot([NatsHealthIndicator, RedisHealthIndicator]),
        IngressModule.forConfig(config),
        MessagingModule.forRoot({ service: SERVICE, url: config.NATS_URL }),
      ],
      module: AppModule,
    };
  }
}
