import { ScrapeSampler } from './scrape-sampler';

/** A read that resolves when the test says so, counting how often it was started. */
function controlledRead() {
  const pending: Array<(v: number) => void> = [];
  const read = jest.fn(() => new Promise<number>((resolve) => pending.push(resolve)));
  return { read, finish: (v: number) => pending.shift()?.(v) };
}

describe(ScrapeSampler.name, () => {
  describe('sample', () => {
    it('shares one read between the gauges collected in one scrape', async () => {
      const { read, finish } = controlledRead();
      const sut = new ScrapeSampler(read, 1000);
      const a = sut.sample();
      const b = sut.sample();
      finish(7);
      expect(await a).toEqual({ ok: true, value: 7 });
      expect(await b).toEqual({ ok: true, value: 7 });
      expect(read).toHaveBeenCalledTimes(1);
    });

    it('reads again on the next scrape', async () => {
      let n = 0;
      const sut = new ScrapeSampler(async () => ++n, 1000);
      expect(await sut.sample()).toEqual({ ok: true, value: 1 });
      expect(await sut.sample()).toEqual({ ok: true, value: 2 });
    });

    it('fails a read that takes longer than the timeout, and starts no other while it runs', async () => {
      const { read, finish } = controlledRead();
      const sut = new ScrapeSampler(read, 20);
      const timedOut = await sut.sample();
      expect(timedOut).toMatchObject({ ok: false, error: { message: 'no answer in 20 ms' } });
      expect(await sut.sample()).toMatchObject({ ok: false, error: { message: /has not finished/ } });
      expect(read).toHaveBeenCalledTimes(1);
      finish(1);
      await new Promise((r) => setImmediate(r));
      const next = sut.sample();
      finish(2);
      expect(await next).toEqual({ ok: true, value: 2 });
    });

    it('reports a read that throws as a failed sample', async () => {
      const sut = new ScrapeSampler(() => Promise.reject(new Error('redis away')), 1000);
      expect(await sut.sample()).toMatchObject({ ok: false, error: { message: 'redis away' } });
    });
  });
});
