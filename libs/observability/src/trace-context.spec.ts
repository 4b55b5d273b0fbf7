import {
  contextFromTraceparent,
  currentTraceparent,
  formatTraceparent,
  newRootSpanContext,
  parseTraceparent,
} from './trace-context';

describe(parseTraceparent.name, () => {
  it('round-trips a valid header', () => {
    const value = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    expect(formatTraceparent(parseTraceparent(value)!)).toBe(value);
  });
  it.each([undefined, '', 'garbage', '00-00000000000000000000000000000000-00f067aa0ba902b7-01'])(
    'rejects %p',
    (value) => {
      expect(parseTraceparent(value)).toBeUndefined();
    },
  );
});

describe(contextFromTraceparent.name, () => {
  it('continues the incoming trace', () => {
    const value = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    expect(currentTraceparent(contextFromTraceparent(value))).toBe(value);
  });
  it('starts a new trace when there is none', () => {
    expect(currentTraceparent(contextFromTraceparent(undefined))).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });
});

describe('new trace ids', () => {
  it('are distinct and well formed, drawn from a pool of random bytes', () => {
    const ids = new Set(Array.from({ length: 2000 }, () => newRootSpanContext().traceId));
    expect(ids.size).toBe(2000);
    expect([...ids].every((id) => /^[0-9a-f]{32}$/.test(id))).toBe(true);
  });
});
