import { extend } from './extend';

describe(extend.name, () => {
  it('is { ...base, ...extra }: a new object, base untouched, extra winning', () => {
    const base = { a: 1, b: { deep: true }, c: 'x' };
    const out = extend(base, { c: 'y', d: 4 });
    expect(out).toEqual({ a: 1, b: { deep: true }, c: 'y', d: 4 });
    expect(out).not.toBe(base);
    expect(base).toEqual({ a: 1, b: { deep: true }, c: 'x' });
    expect(out.b).toBe(base.b);
    expect(Object.keys(out)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('copies symbol fields as spread does', () => {
    const s = Symbol('s');
    expect(extend({ [s]: 1 }, { x: 2 })[s]).toBe(1);
  });

  it('keeps a payload’s own __proto__ field an ordinary field, as spread does, and the copy a plain object', () => {
    const hostile = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as { a: number };
    const out = extend(hostile, { b: 2 });
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect((out as { polluted?: boolean }).polluted).toBeUndefined();
    expect(Object.keys(out)).toEqual(['__proto__', 'a', 'b']);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });
});
