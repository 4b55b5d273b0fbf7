import { type DynamicModule, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { PolicyStore } from '@switchyard/policy-store';
import { RoutingStateStore, TenantLimitsStore } from '@switchyard/routing-state';
import { RedisHealthIndicator, createFailFastRedis } from '@switchyard/runtime';
import type { Redis } from 'ioredis';
import type { DecisionConfig } from '../config';
import { DECISION_CONFIG, DECISION_REDIS, ROUTING_STATE, TENANT_LIMITS } from './decision.constants';
import { DecisionController } from './decision.controller';
import { MakeDecision } from './make-decision.usecase';
import { ModelsController } from './models.controller';
import { QuotaGauges } from './quota-gauges';
import { TenantAllowance } from './tenant-allowance';

@Module({})
export class DecisionModule implements OnApplicationShutdown {
  constructor(@Inject(DECISION_REDIS) private readonly redis: Redis) {}

  static forConfig(config: DecisionConfig): DynamicModule {
    return {
      controllers: [DecisionController, ModelsController],
      exports: [RedisHealthIndicator],
      // Global so HealthModule can inject RedisHealthIndicator.
      global: true,
      module: DecisionModule,
      providers: [
        MakeDecision,
        QuotaGauges,
        TenantAllowance,
        { provide: DECISION_CONFIG, useValue: config },
        { provide: DECISION_REDIS, useFactory: () => createFailFastRedis(config.REDIS_URL) },
        {
          inject: [DECISION_REDIS, PolicyStore],
          provide: RedisHealthIndicator,
          // Needed to serve only when the policy in force refuses requests without it (onStoreDown: closed).
          useFactory: (redis: Redis, policies: PolicyStore) =>
            new RedisHealthIndicator(redis, () => policies.current().document.quotas?.onStoreDown === 'closed'),
        },
        {
          inject: [DECISION_REDIS],
          provide: ROUTING_STATE,
          useFactory: (redis: Redis) =>
            new RoutingStateStore(redis, config.ROUTING_STATE_PREFIX, undefined, config.COOLDOWN_CHECK_CACHE_MS),
        },
        {
          inject: [DECISION_REDIS],
          provide: TENANT_LIMITS,
          useFactory: (redis: Redis) => new TenantLimitsStore(redis, config.ROUTING_STATE_PREFIX),
        },
      ],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => undefined);
  }
}
