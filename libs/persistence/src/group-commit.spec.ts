import { type BatchFailures, GroupCommit } from './group-commit';

/** A batch writer that records each batch and settles it when the test says so. */
function controlledWriter() {
  const batches: number[][] = [];
  const pending: Array<{ resolve: (f: BatchFailures) => void; reject: (e: Error) => void }> = [];
  const write = (ops: number[]) =>
    new Promise<BatchFailures>((resolve, reject) => {
      batches.push(ops);
      pending.push({ resolve, reject });
    });
  const settle = async (how: BatchFailures | Error = new Map()) => {
    const next = pending.shift();
    if (!next) throw new Error('no batch in flight');
    if (how instanceof Error) next.reject(how);
    else next.resolve(how);
    await new Promise((r) => setImmediate(r));
  };
  return { batches, write, settle };
}

const outcome = (p: Promise<void>) =>
  p.then(
    () => 'ok',
    (e: Error) => e.message,
  );

describe(GroupCommit.name, () => {
  it('writes a lone operation at once, and groups what arrives while a batch is in flight', async () => {
    const w = controlledWriter();
    const sut = new GroupCommit(w.write, String);
    const first = outcome(sut.submit(1));
    expect(w.batches).toEqual([[1]]);
    const rest = [2, 3, 4].map((n) => outcome(sut.submit(n)));
    expect(w.batches).toEqual([[1]]); // waiting for the first batch
    await w.settle();
    expect(w.batches).toEqual([[1], [2, 3, 4]]);
    await w.settle();
    expect(await Promise.all([first, ...rest])).toEqual(['ok', 'ok', 'ok', 'ok']);
  });

  it('rejects only the operations that failed, and every operation of a batch that failed whole', async () => {
    const w = controlledWriter();
    const sut = new GroupCommit(w.write, String);
    const a = outcome(sut.submit(1));
    const group = [2, 3, 4].map((n) => outcome(sut.submit(n)));
    await w.settle(new Error('connection reset'));
    expect(await a).toBe('connection reset');
    await w.settle(new Map([[1, new Error('duplicate key 3')]]));
    expect(await Promise.all(group)).toEqual(['ok', 'duplicate key 3', 'ok']);
    // And it keeps going after failures.
    const later = outcome(sut.submit(5));
    expect(w.batches.at(-1)).toEqual([5]);
    await w.settle();
    expect(await later).toBe('ok');
  });

  it('splits a backlog into batches of at most maxBatch', async () => {
    const w = controlledWriter();
    const sut = new GroupCommit(w.write, String, 2);
    const all = [1, 2, 3, 4, 5].map((n) => outcome(sut.submit(n)));
    await w.settle();
    await w.settle();
    await w.settle();
    expect(w.batches).toEqual([[1], [2, 3], [4, 5]]);
    expect(await Promise.all(all)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
  });

  it('never puts two operations on one key in a batch: the later waits, in order', async () => {
    const w = controlledWriter();
    const sut = new GroupCommit<number>(w.write, (n) => String(n % 10));
    const all = [1, 2, 11, 3, 21, 12].map((n) => outcome(sut.submit(n)));
    await w.settle();
    await w.settle();
    await w.settle();
    expect(w.batches).toEqual([[1], [2, 11, 3], [21, 12]]);
    expect(await Promise.all(all)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok']);
  });

  it('refuses a batch size below one', () => {
    expect(() => new GroupCommit(async () => new Map(), String, 0)).toThrow(/maxBatch must be at least 1/);
  });

  describe('with a linger', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it('holds a lone operation for lingerMs, and writes what arrived meanwhile with it', async () => {
      const w = controlledWriter();
      const sut = new GroupCommit(w.write, String, 64, 20);
      const first = outcome(sut.submit(1));
      jest.advanceTimersByTime(19);
      expect(w.batches).toEqual([]);
      const second = outcome(sut.submit(2));
      jest.advanceTimersByTime(1);
      expect(w.batches).toEqual([[1, 2]]);
      // What arrives while a batch is written goes out right after it: it waited already.
      const third = outcome(sut.submit(3));
      jest.useRealTimers();
      await w.settle();
      expect(w.batches).toEqual([[1, 2], [3]]);
      await w.settle();
      expect(await Promise.all([first, second, third])).toEqual(['ok', 'ok', 'ok']);
    });

    it('writes at once when a batch fills, without waiting out the linger', () => {
      const w = controlledWriter();
      const sut = new GroupCommit(w.write, String, 3, 1000);
      void sut.submit(1);
      void sut.submit(2);
      expect(w.batches).toEqual([]);
      void sut.submit(3);
      expect(w.batches).toEqual([[1, 2, 3]]);
      // The linger it cut short does not fire a second, empty write.
      jest.advanceTimersByTime(1000);
      expect(w.batches).toEqual([[1, 2, 3]]);
    });

    it('refuses a linger below zero or above a second', () => {
      expect(() => new GroupCommit(async () => new Map(), String, 8, -1)).toThrow(
        /lingerMs must be between 0 and 1000/,
      );
      expect(() => new GroupCommit(async () => new Map(), String, 8, 5000)).toThrow(/got 5000/);
    });
  });
});
