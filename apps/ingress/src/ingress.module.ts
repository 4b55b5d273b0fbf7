import {
  type DynamicModule,
  Inject,
  Logger,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
  type Provider,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { RedisHealthIndicator, createFailFastRedis } from '@switchyard/runtime';
import type { Redis } from 'ioredis';
import { ChatController } from './chat/chat.controller';
import { HandleChatRequest } from './chat/handle-chat-request.usecase';
import { INGRESS_CONFIG, type IngressConfig } from './config';
import { SubmitFeedback } from './feedback/submit-feedback.usecase';
import { HttpController } from './http/http.controller';
import { UnknownRouteFilter } from './http/unknown-route.filter';
import { INGRESS_REDIS } from './idempotency/idempotency.constants';
import { IdempotencyStore } from './idempotency/idempotency.store';
import { TenantAuthenticator } from './tenancy/tenant-authenticator';
import { TenantKeyCache, TenantKeysIndicator } from './tenancy/tenant-key-cache';

@Module({})
export class IngressModule implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(IngressModule.name);

  constructor(
    @Inject(INGRESS_REDIS) private readonly redis: Redis,
    @Inject(INGRESS_CONFIG) private readonly config: IngressConfig,
  ) {}

  static forConfig(config: IngressConfig): DynamicModule {
    const auth = config.AUTH === 'on';
    const tenancy: Provider[] = auth
      ? [
          TenantKeyCache,
          TenantKeysIndicator,
          {
            inject: [TenantKeyCache],
            provide: TenantAuthenticator,
            useFactory: (keys: TenantKeyCache) => new TenantAuthenticator(keys, config.DEFAULT_TENANT),
          },
        ]
      : [{ provide: TenantAuthenticator, useFactory: () => new TenantAuthenticator(undefined, config.DEFAULT_TENANT) }];
    return {
      controllers: [ChatController, HttpController],
      exports: [RedisHealthIndicator, ...(auth ? [TenantKeysIndicator] : [])],
      // Global so HealthModule can inject the readiness indicators.
      global: true,
      module: IngressModule,
      providers: [
        { provide: APP_FILTER, useClass: UnknownRouteFilter },
        HandleChatRequest,
        IdempotencyStore,
        SubmitFeedback,
        ...tenancy,
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

  onModuleInit(): void {
    if (this.config.AUTH === 'off')
      this.logger.warn(
        'AUTH=off: requests are NOT authenticated and choose their own tenant (payload "tenant" or the ' +
          'x-switchyard-tenant header). For local development only: never let anyone else reach this ingress.',
      );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => undefined);
  }
}
