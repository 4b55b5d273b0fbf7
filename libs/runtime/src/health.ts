import {
  Controller,
  Get,
  HttpCode,
  HttpException,
  Inject,
  type DynamicModule,
  Module,
  type Provider,
} from '@nestjs/common';

/** One per dependency a service needs to do its work. `check` throws when the dependency is not usable. */
export interface ReadinessIndicator {
  readonly name: string;
  check(): Promise<void>;
  /**
   * Whether the service cannot serve without it right now (default: yes). A dependency it can do without
   * (ingress without Redis still answers requests that carry no id) is reported but keeps it ready, so
   * Kubernetes does not pull every replica for an outage they can ride out.
   */
  critical?(): boolean;
}

export const READINESS_INDICATORS = Symbol('READINESS_INDICATORS');

/** Flipped when the service starts shutting down, so readiness fails and load balancers stop sending. */
export class ServiceState {
  draining = false;
}

@Controller()
export class HealthController {
  constructor(
    @Inject(READINESS_INDICATORS) private readonly indicators: ReadinessIndicator[],
    private readonly state: ServiceState,
  ) {}

  /** Liveness: the process serves HTTP. Never checks dependencies (a dead database must not restart us). */
  @Get('healthz')
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: every dependency answers and the service is not draining. */
  @Get('readyz')
  async ready(): Promise<{ status: 'ready'; checks: Record<string, string> }> {
    const checks: Record<string, string> = {};
    let ok = !this.state.draining;
    if (this.state.draining) checks['service'] = 'draining';
    await Promise.all(
      this.indicators.map(async (indicator) => {
        try {
          await withTimeout(indicator.check(), 2000, indicator.name);
          checks[indicator.name] = 'up';
        } catch (err) {
          const critical = indicator.critical?.() ?? true;
          if (critical) ok = false;
          checks[indicator.name] = `${critical ? 'down' : 'degraded'}: ${(err as Error).message}`;
        }
      }),
    );
    if (!ok) throw new HttpException({ status: 'not_ready', checks }, 503);
    return { status: 'ready', checks };
  }
}

@Module({})
export class HealthModule {
  /** `indicators`: tokens of ReadinessIndicator providers available in the app. */
  static forRoot(
    indicators: Array<Provider & { provide: unknown }> | Array<new (...args: never[]) => ReadinessIndicator>,
  ): DynamicModule {
    const tokens = indicators.map((i) => (typeof i === 'function' ? i : i.provide)) as Array<
      string | symbol | (new (...args: never[]) => unknown)
    >;
    return {
      controllers: [HealthController],
      exports: [ServiceState],
      global: true,
      module: HealthModule,
      providers: [
        ServiceState,
        { inject: tokens, provide: READINESS_INDICATORS, useFactory: (...xs: ReadinessIndicator[]) => xs },
      ],
    };
  }
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not answer in ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
