import { type DynamicModule, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { RedisHealthIndicator, createFailFastRedis } from '@switchyard/runtime';
import type { Redis } from 'ioredis';
import { ChatController } from './chat/chat.controller';
import { HandleChatRequest } from './chat/handle-chat-request.usecase';
import { INGRESS_CONFIG, type IngressConfig } from './config';
import { SubmitFeedback } from './feedback/submit-feedback.usecase';
import { AnthropicMessagesController } from './http/anthropic-messages.controller';
import { HttpController } from './http/http.controller';
import { UnknownRouteFilter } from './http/unknown-route.filter';
import { INGRESS_REDIS } from './idempotency/idempotency.constants';
import { IdempotencyStore } from './idempotency/idempotency.store';
import { ListModels } from './models/list-models.usecase';

@Module({})
export class IngressModule implements OnApplicationShutdown {
  constructor(@Inject(INGRESS_REDIS) private readonly redis: Redis) {}

  static forConfig(config: IngressConfig): DynamicModule {
    return {
      controllers: [AnthropicMessagesController, ChatController, HttpController],
      exports: [RedisHealthIndicator],
      // Global so HealthModule can inject the readiness indicators.
      global: true,
      module: IngressModule,
      providers: [
        { provide: APP_FILTER, useClass: UnknownRouteFilter },
        HandleChatRequest,
        IdempotencyStore,
        ListModels,
        SubmitFeedback,
        {
          inject: [INGRESS_REDIS],
          provide: RedisHealthIndicator,
          // Only requests that carry an id need Redis (idempotency): the rest are served while it is away.
          useFactory: (redis: Redis) => new RedisHealthIndicator(redis, () => false),
        },
        { provide: INGRESS_CONFIG, useValue: config },
        // Fail fast while Redis is away: callers get 503 at once instead of waiting in an offline queue.
        { provide: INGRESS_REDIS, useFactory: () => createFailFastRedis(config.REDIS_URL) },
      ],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => undefined);
  }
}
