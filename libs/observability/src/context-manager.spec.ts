import { registerContextManager } from './context-manager';
import { contextFromTraceparent, currentTraceparent } from './trace-context';
import { withSpan } from './tracing';

describe(registerContextManager.name, () => {
  it('carries the trace a handler runs in across await, so what it sends continues that trace', async () => {
    registerContextManager();
    registerContextManager(); // a second service in the same process: no error, still one manager
    const incoming = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const seen = await withSpan('test', 'handle', contextFromTraceparent(incoming), {}, async () => {
      const before = currentTraceparent();
      await new Promise((r) => setTimeout(r, 5));
      return [before, currentTraceparent()];
    });
    expect(seen.map((t) => t?.split('-')[1])).toEqual([
      '4bf92f3577b34da6a3ce929d0e0e4736',
      '4bf92f3577b34da6a3ce929d0e0e4736',
    ]);
    expect(currentTraceparent()).toBeUndefined();
  });
});
