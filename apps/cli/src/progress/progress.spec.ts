import { Progress, renderBar } from './progress';

describe(renderBar.name, () => {
  it('fills the bar in proportion and prints the share and the counts', () => {
    expect(renderBar(0, 4, 8)).toBe('[········]   0%  0/4');
    expect(renderBar(1, 4, 8)).toBe('[##······]  25%  1/4');
    expect(renderBar(4, 4, 8)).toBe('[########] 100%  4/4');
  });
  it('clamps overshoot and draws an empty bar without a total', () => {
    expect(renderBar(9, 4, 4)).toBe('[####] 100%  9/4');
    expect(renderBar(3, undefined, 4)).toBe('[····]');
  });
});

describe(Progress.name, () => {
  const run = (isTTY: boolean) => {
    const written: string[] = [];
    let t = 0;
    const sut = new Progress({ write: (s) => written.push(s), isTTY }, () => t, 100);
    const at = (ms: number, stage: string, done?: number, total?: number) => {
      t = ms;
      sut.update(stage, done, total);
    };
    return { written, at, sut };
  };

  it('in a log, prints each stage once with its start time', () => {
    const { written, at, sut } = run(false);
    at(0, 'load');
    at(1500, 'train', 0, 2);
    at(1600, 'train', 1, 2);
    at(2500, 'train', 2, 2);
    sut.done();
    expect(written).toEqual(['     0.0 s  load\n', '     1.5 s  train\n']);
  });

  it('on a terminal, redraws the bar in place at most every interval, always at the end of a stage', () => {
    const { written, at, sut } = run(true);
    at(0, 'train', 0, 4);
    at(50, 'train', 1, 4); // too soon: skipped
    at(300, 'train', 2, 4);
    at(310, 'train', 4, 4); // finished: drawn though soon
    at(320, 'predict');
    sut.done();
    expect(written).toEqual([
      '\r\x1b[2K     0.0 s  train  [························]   0%  0/4',
      '\r\x1b[2K     0.3 s  train  [############············]  50%  2/4',
      '\r\x1b[2K     0.3 s  train  [########################] 100%  4/4',
      '\n',
      '\r\x1b[2K     0.3 s  predict',
      '\n',
    ]);
  });
});
