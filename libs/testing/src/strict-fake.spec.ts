import { recorder, strictFake } from './strict-fake';
import { waitFor } from './wait-for';

describe(strictFake.name, () => {
  it('answers the members it was given', () => {
    expect(strictFake<{ a(): number }>('Thing', { a: () => 1 }).a()).toBe(1);
  });
  it('throws naming the member a test did not expect', () => {
    const sut = strictFake<{ a(): number; b(): number }>('Thing', { a: () => 1 });
    expect(() => sut.b()).toThrow('Thing.b was called but the test did not expect it');
  });
});

describe(recorder.name, () => {
  it('records each call', () => {
    const sut = recorder((x: number) => x * 2);
    expect(sut(2)).toBe(4);
    expect(sut.calls).toEqual([[2]]);
  });
});

describe(waitFor.name, () => {
  it('resolves once the probe returns a value', async () => {
    let n = 0;
    expect(await waitFor('n to reach 3', () => (++n >= 3 ? n : undefined), 1000, 1)).toBe(3);
  });
  it('fails naming what it waited for', async () => {
    await expect(waitFor('the impossible', () => undefined, 30, 5)).rejects.toThrow(
      'timed out after 30 ms waiting for the impossible',
    );
  });
});
