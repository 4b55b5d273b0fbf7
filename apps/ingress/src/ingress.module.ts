import { type DynamicModule, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { RedisHealthIndicator } from '@switchyard/runtime';
import { Redis } from 'ioredis';
import { ChatController } from './chat/chat.controller';
import { HandleChatRequest } from './chat/handle-chat-request.usecase';
import { INGRESS_CONFIG, type IngressConfig } from './config';
import { SubmitFeedback } from './feedback/submit-feedback.usecase';
import { HttpController } from './http/http.controller';
import { INGRESS_REDIS } from './idempotency/idempotency.constants';
import { IdempotencyStore } from './idempotency/idempotency.store';
import { TenantAuthenticator } from './tenancy/tenant-authenticator';

@Module({})
export class IngressModule implements OnApplicationShutdown {
  constructor(@Inject(INGRESS_REDIS) private readonly redis: Redis) {}

  static forConfig(config: IngressConfig): DynamicModule {
    return {
      controllers: [ChatController, HttpController],
      exports: [RedisHealthIndicator],
      // Global so HealthModule can inject RedisHealthIndicator.
      global: true,
      module: IngressModule,
      providers: [
        HandleChatRequest,
        IdempotencyStore,
        SubmitFeedback,
        {
          inject: [INGRESS_REDIS],
          provide: RedisHealthIndicator,
          useFactory: (redis: Redis) => new RedisHealthIndicator(redis),
        },
        { provide: INGRESS_CONFIG, useValue: config },
        {
          provide: INGRESS_REDIS,
          useFactory: () => new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2, enableOfflineQueue: true }),
        },
        {
          provide: TenantAuthenticator,
          useFactory: () => new TenantAuthenticator(config.TENANT_KEYS, config.DEFAULT_TENANT),
        },
      ],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => undefined);
  }
}
