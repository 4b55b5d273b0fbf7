import { type DynamicModule, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { SimulatedAdapter } from '@switchyard/providers';
import { RoutingStateStore } from '@switchyard/routing-state';
import { RedisHealthIndicator, createFailFastRedis } from '@switchyard/runtime';
import type { Redis } from 'ioredis';
import { ADAPTERS_CONFIG, type AdaptersConfig } from '../config';
import { ADAPTERS_REDIS, PROVIDER_ADAPTERS, ROUTING_STATE } from './execution.constants';
import { ExecutePlan } from './execute-plan.usecase';
import { ExecutionController } from './execution.controller';

@Module({})
export class ExecutionModule implements OnApplicationShutdown {
  constructor(@Inject(ADAPTERS_REDIS) private readonly redis: Redis) {}

  static forConfig(config: AdaptersConfig): DynamicModule {
    return {
      controllers: [ExecutionController],
      exports: [RedisHealthIndicator],
      // Global so HealthModule can inject RedisHealthIndicator.
      global: true,
      module: ExecutionModule,
      providers: [
        ExecutePlan,
        { provide: ADAPTERS_CONFIG, useValue: config },
        { provide: ADAPTERS_REDIS, useFactory: () => createFailFastRedis(config.REDIS_URL) },
        {
          provide: PROVIDER_ADAPTERS,
          useFactory: () => [new SimulatedAdapter({ latencyMs: config.SIMULATED_LATENCY_MS })],
        },
        {
          inject: [ADAPTERS_REDIS],
          provide: RedisHealthIndicator,
          useFactory: (redis: Redis) => new RedisHealthIndicator(redis),
        },
        {
          inject: [ADAPTERS_REDIS],
          provide: ROUTING_STATE,
          useFactory: (redis: Redis) => new RoutingStateStore(redis, config.ROUTING_STATE_PREFIX),
        },
      ],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => undefined);
  }
}
