import { UPSTREAM_READY, upstreamPortFrom } from './upstream-server';

describe(upstreamPortFrom.name, () => {
  it('reads the port once the upstream has said it is ready', () => {
    expect(upstreamPortFrom(`starting\n${UPSTREAM_READY} 40123\n`)).toBe(40123);
  });
  it('is undefined before that', () => {
    expect(upstreamPortFrom('starting\n')).toBeUndefined();
  });
});
