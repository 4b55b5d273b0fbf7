import { HttpException } from '@nestjs/common';
import { HealthController, type ReadinessIndicator, ServiceState } from './health';

const up = (name: string): ReadinessIndicator => ({ name, check: async () => undefined });
const down = (name: string, critical?: boolean): ReadinessIndicator => ({
  name,
  check: async () => {
    throw new Error('connection refused');
  },
  ...(critical === undefined ? {} : { critical: () => critical }),
});

describe(HealthController.name, () => {
  describe('ready', () => {
    it('is ready when every dependency answers', async () => {
      const sut = new HealthController([up('nats'), up('redis')], new ServiceState());
      await expect(sut.ready()).resolves.toEqual({ status: 'ready', checks: { nats: 'up', redis: 'up' } });
    });

    it('is not ready when a dependency it needs is down, naming it', async () => {
      const sut = new HealthController([up('nats'), down('redis')], new ServiceState());
      const err = (await sut.ready().catch((e: unknown) => e)) as HttpException;
      expect(err.getStatus()).toBe(503);
      expect(err.getResponse()).toEqual({
        status: 'not_ready',
        checks: { nats: 'up', redis: 'down: connection refused' },
      });
    });

    it('stays ready when only a dependency it can do without is down, and says so', async () => {
      const sut = new HealthController([up('nats'), down('redis', false)], new ServiceState());
      await expect(sut.ready()).resolves.toEqual({
        status: 'ready',
        checks: { nats: 'up', redis: 'degraded: connection refused' },
      });
    });

    it('is not ready while draining', async () => {
      const state = new ServiceState();
      state.draining = true;
      await expect(new HealthController([up('nats')], state).ready()).rejects.toBeInstanceOf(HttpException);
    });
  });
});
