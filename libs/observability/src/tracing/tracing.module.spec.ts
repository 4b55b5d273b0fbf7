import { Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { withTracing } from './tracing.module';

describe(withTracing.name, () => {
  it('stops tracing when the app closes, after the drain of the modules it wraps', async () => {
    const calls: string[] = [];
    // Stands in for a service's messaging: its drain runs before any module's shutdown hook.
    @Injectable()
    class Draining {
      async beforeApplicationShutdown(): Promise<void> {
        calls.push('drained');
      }
    }
    @Module({ providers: [Draining] })
    class ServiceModule implements OnApplicationShutdown {
      onApplicationShutdown(): void {
        calls.push('service shut down');
      }
    }
    const app = await NestFactory.createApplicationContext(
      withTracing(ServiceModule, async () => {
        calls.push('tracing stopped');
      }),
      { logger: false },
    );
    await app.close();
    expect(calls[0]).toBe('drained');
    expect(calls.filter((c) => c === 'tracing stopped')).toHaveLength(1);
  });
});
