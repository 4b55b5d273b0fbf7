import { type DynamicModule, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { loadDataset } from '@switchyard/datasets';
import { AnthropicAdapter, OpenAiAdapter, ReplayAdapter, SimulatedAdapter } from '@switchyard/providers';
import { RoutingStateStore, TenantLimitsStore } from '@switchyard/routing-state';
import { RedisHealthIndicator, createFailFastRedis } from '@switchyard/runtime';
import type { Redis } from 'ioredis';
import { ADAPTERS_CONFIG, type AdaptersConfig } from '../config';
import {
  ADAPTERS_REDIS,
  PROVIDER_ADAPTERS,
  PROVIDER_SECRETS,
  ROUTING_STATE,
  TENANT_LIMITS,
} from './execution.constants';
import { ProviderSecrets } from './provider-secrets';
import { CallModel } from './call-model';
import { ExecutePlan } from './execute-plan.usecase';
import { JudgeAnswer } from './judge-answer.usecase';
import { RunPlan } from './run-plan.usecase';
import { PlanIntake } from './plan-intake';
import { ExecutionController } from './execution.controller';

@Module({})
export class ExecutionModule implements OnApplicationShutdown {
  constructor(@Inject(ADAPTERS_REDIS) private readonly redis: Redis) {}

  /** `env`: where API keys are read from (the service's environment). */
  static forConfig(config: AdaptersConfig, env: NodeJS.ProcessEnv): DynamicModule {
    return {
      controllers: [ExecutionController],
      exports: [RedisHealthIndicator],
      // Global so HealthModule can inject RedisHealthIndicator.
      global: true,
      module: ExecutionModule,
      providers: [
        CallModel,
        ExecutePlan,
        JudgeAnswer,
        PlanIntake,
        RunPlan,
        { provide: ADAPTERS_CONFIG, useValue: config },
        { provide: ADAPTERS_REDIS, useFactory: () => createFailFastRedis(config.REDIS_URL) },
        {
          provide: PROVIDER_ADAPTERS,
          // One adapter per provider kind; a model's `provider` picks it.
          useFactory: () => [
            new AnthropicAdapter(),
            new OpenAiAdapter('openai'),
            new OpenAiAdapter('openai-compatible'),
            config.REPLAY_DATASET
              ? new ReplayAdapter(loadDataset(config.REPLAY_DATASET), config.REPLAY_DATASET)
              : new ReplayAdapter([], 'the replay provider (REPLAY_DATASET is not set)'),
            new SimulatedAdapter({ latencyMs: config.SIMULATED_LATENCY_MS }),
          ],
        },
        { provide: PROVIDER_SECRETS, useFactory: () => new ProviderSecrets(env, config.POLICY_KEY_ENV_PREFIX) },
        {
          inject: [ADAPTERS_REDIS],
          provide: RedisHealthIndicator,
          // Cooldowns and tenant spend are written best-effort; answers do not wait for Redis.
          useFactory: (redis: Redis) => new RedisHealthIndicator(redis, () => false),
        },
        {
          inject: [ADAPTERS_REDIS],
          provide: ROUTING_STATE,
          useFactory: (redis: Redis) => new RoutingStateStore(redis, config.ROUTING_STATE_PREFIX),
        },
        {
          inject: [ADAPTERS_REDIS],
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
