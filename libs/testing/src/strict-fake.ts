/**
 * A test double that has only the members given and throws on any other, so a test fails loudly when the
 * code under test calls something the test did not expect (the shape of Immich's strict automocks).
 */
export function strictFake<T extends object>(name: string, members: Partial<T>): T {
  return new Proxy(members as T, {
    get(target, prop, receiver) {
      if (prop in target) return Reflect.get(target, prop, receiver) as unknown;
      // Jest and promise machinery probe these; answering undefined is what a plain object would do.
      if (
        prop === 'then' ||
        prop === 'asymmetricMatch' ||
        prop === 'nodeType' ||
        prop === 'toJSON' ||
        typeof prop === 'symbol'
      )
        return undefined;
      throw new Error(`${name}.${String(prop)} was called but the test did not expect it`);
    },
  });
}

/** Records calls of one function for assertions; `impl` decides what it returns. */
export function recorder<A extends unknown[], R>(impl: (...args: A) => R): ((...args: A) => R) & { calls: A[] } {
  const calls: A[] = [];
  const fn = (...args: A) => {
    calls.push(args);
    return impl(...args);
  };
  return Object.assign(fn, { calls });
}
