import { ChildCache, LabelGuard, NONE, OTHER, RecentSet } from './label-guard';

describe(LabelGuard.name, () => {
  describe('value', () => {
    it('passes the first values and turns later new ones into other when full', () => {
      const sut = new LabelGuard(2);
      expect([sut.value('a'), sut.value('b'), sut.value('c'), sut.value('a')]).toEqual(['a', 'b', OTHER, 'a']);
    });

    it('says none when there is no value', () => {
      expect(new LabelGuard(2).value(undefined)).toBe(NONE);
      expect(new LabelGuard(2).value('')).toBe(NONE);
    });

    it('turns an over-long value into other without taking a place', () => {
      const sut = new LabelGuard(1, 4);
      expect([sut.value('abcdef'), sut.value('abc')]).toEqual([OTHER, 'abc']);
    });
  });
});

describe(ChildCache.name, () => {
  describe('get', () => {
    it('resolves each label combination once', () => {
      const resolve = jest.fn((values: readonly string[]) => ({ key: values.join('/') }));
      const sut = new ChildCache(resolve);
      const first = sut.get(['a', 'b']);
      expect(sut.get(['a', 'b'])).toBe(first);
      expect(sut.get(['a', 'c'])).toEqual({ key: 'a/c' });
      expect(resolve).toHaveBeenCalledTimes(2);
    });

    it('keeps combinations apart when joining would make them equal', () => {
      const sut = new ChildCache((values) => [...values]);
      expect(sut.get(['a,b', 'c'])).not.toBe(sut.get(['a', 'b,c']));
      expect(sut.get(['ab', ''])).toEqual(['ab', '']);
      expect(sut.get(['a', 'b'])).toEqual(['a', 'b']);
    });

    it('stops caching past its bound and still resolves', () => {
      const resolve = jest.fn((values: readonly string[]) => values[0]);
      const sut = new ChildCache(resolve, 1);
      sut.get(['a']);
      sut.get(['b']);
      sut.get(['b']);
      sut.get(['a']);
      expect(resolve).toHaveBeenCalledTimes(3);
    });
  });
});

describe(RecentSet.name, () => {
  describe('add', () => {
    it('keeps the most recent values, dropping the least recently seen first', () => {
      const sut = new RecentSet(2);
      sut.add('a');
      sut.add('b');
      sut.add('a');
      sut.add('c');
      expect(sut.list()).toEqual(['a', 'c']);
    });
  });
});
