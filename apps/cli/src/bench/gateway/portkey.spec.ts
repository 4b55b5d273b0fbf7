import { installPortkey, portkeyDir, portkeyHeaders } from './portkey';

describe(portkeyHeaders.name, () => {
  it('names the OpenAI provider, the upstream as its custom host, and the key', () => {
    expect(portkeyHeaders('http://127.0.0.1:9/v1', 'k')).toEqual({
      'x-portkey-provider': 'openai',
      'x-portkey-custom-host': 'http://127.0.0.1:9/v1',
      authorization: 'Bearer k',
    });
  });
});

describe(installPortkey.name, () => {
  it('skips, without running npm, a version that is not an exact one', async () => {
    const lines: string[] = [];
    const sut = await installPortkey('latest; rm -rf /', (line) => lines.push(line));
    expect(sut).toEqual({ skipped: expect.stringContaining('exact version') });
    expect(lines).toEqual([]);
  });
});

describe(portkeyDir.name, () => {
  it('keeps each version in a folder of its own', () => {
    expect(portkeyDir('1.15.2')).not.toBe(portkeyDir('1.15.3'));
    expect(portkeyDir('1.15.2')).toMatch(/switchyard-bench-portkey-1\.15\.2$/);
  });
});
