import { modelIdSchema } from '@switchyard/contracts';
import { DatasetError, type DatasetRow } from './dataset-format';
import { describeRenamed, routableModelId, withRoutableModelIds } from './model-ids';

const row = (id: number, models: string[]): DatasetRow => ({
  id: String(id),
  prompt: `p${id}`,
  outcomes: Object.fromEntries(models.map((m, k) => [m, { score: k % 2, cost_usd: 0.001 * (k + 1) }])),
});

describe('routableModelId', () => {
  it('keeps a name a policy can use, and makes any other one a valid id', () => {
    expect(routableModelId('meta-llama/Llama-3.1-70B-Instruct')).toBe('meta-llama/Llama-3.1-70B-Instruct');
    expect(routableModelId('claude-3-5-sonnet@20240620')).toBe('claude-3-5-sonnet-20240620');
    expect(routableModelId('Llama 3 70B (chat)')).toBe('Llama-3-70B--chat-');
    expect(routableModelId('@cf/meta/llama')).toBe('m-cf/meta/llama');
    expect(routableModelId('通义千问')).toBe('m----');
    const long = routableModelId(`${'x'.repeat(200)} y`);
    expect(long).toHaveLength(128);
    for (const name of ['claude-3-5-sonnet@20240620', 'Llama 3 70B (chat)', '@cf/meta/llama', '通义千问', long])
      expect(modelIdSchema.safeParse(routableModelId(name)).success).toBe(true);
  });
});

describe('withRoutableModelIds', () => {
  it('returns the rows as they are when every name can be routed', () => {
    const rows = [row(1, ['a', 'b'])];
    const out = withRoutableModelIds([rows]);
    expect(out.renamed).toEqual([]);
    expect(out.sets[0]).toEqual(rows);
  });

  it('renames a model in every row of every file, keeping its outcomes', () => {
    const train = [row(1, ['gpt-4o', 'claude@2024'])];
    const test = [row(2, ['claude@2024', 'gpt-4o'])];
    const out = withRoutableModelIds([train, test]);
    expect(out.renamed).toEqual([{ from: 'claude@2024', to: 'claude-2024' }]);
    expect(Object.keys(out.sets[0][0].outcomes).sort()).toEqual(['claude-2024', 'gpt-4o']);
    expect(out.sets[0][0].outcomes['claude-2024']).toEqual(train[0].outcomes['claude@2024']);
    expect(out.sets[1][0].outcomes['claude-2024']).toEqual(test[0].outcomes['claude@2024']);
    expect(train[0].outcomes).toHaveProperty('claude@2024'); // the input is left alone
    expect(describeRenamed(out.renamed)).toBe(
      'model names a policy cannot use, routed as: "claude@2024" as claude-2024',
    );
  });

  it('refuses two names that would share an id, naming both', () => {
    expect(() => withRoutableModelIds([[row(1, ['m@1', 'm 1'])]])).toThrow(DatasetError);
    expect(() => withRoutableModelIds([[row(1, ['m@1', 'm 1'])]])).toThrow(
      'models "m 1" and "m@1" would both be routed as "m-1"',
    );
  });
});
