import { trainLearnedRouter } from '@switchyard/routing';
import { type RouterModelSource, StoredRouters } from './stored-routers';

// A source of the test's own stands for the model store: what StoredRouters does with each kind of answer.
describe(StoredRouters.name, () => {
  const toy = trainLearnedRouter(
    Array.from({ length: 40 }, (_, i) => ({ text: `q${i % 4}`, outcomes: { a: { score: i % 2 }, b: { score: 1 } } })),
    { version: 'toy@1', dims: 1 << 10, epochs: 1 },
  );
  const problem = (version: string, kind: string) =>
    Object.assign(new Error(`router model ${version}: ${kind}`), { name: 'RouterModelError', version, problem: kind });
  const source: RouterModelSource = {
    load: async (version) => {
      if (version === 'toy@1') return toy;
      if (version === 'elsewhere@1') return toy; // says it is toy@1
      if (version === 'gone@1') throw problem(version, 'not-found');
      if (version === 'broken@1') throw problem(version, 'corrupt');
      throw new Error('connect ECONNREFUSED 127.0.0.1:27017');
    },
  };

  it('returns only the versions the store did not answer for, and holds those it could load', async () => {
    const routers = new StoredRouters(source);
    const unanswered = await routers.fetch(['toy@1', 'gone@1', 'broken@1', 'elsewhere@1', 'later@1']);
    expect(unanswered).toEqual(['later@1']);
    expect(routers.get('toy@1')?.version).toBe('toy@1');
    for (const v of ['gone@1', 'broken@1', 'elsewhere@1', 'later@1']) expect(routers.get(v)).toBeUndefined();
    routers.retain([]);
    expect(routers.get('toy@1')).toBeUndefined();
  });

  it('has nothing to fetch from without a store', async () => {
    const routers = new StoredRouters(undefined);
    expect(routers.available).toBe(false);
    expect(await routers.fetch(['toy@1'])).toEqual([]);
  });
});
