import { cpuMsFromStat, cpuPerRequest } from './cpu-usage';

describe(cpuMsFromStat.name, () => {
  it('adds user and system ticks, even when the process name holds spaces and parentheses', () => {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
    const stat = '4242 (node (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 11 0';
    expect(cpuMsFromStat(stat)).toBe(3000);
  });
  it('is undefined for a line it cannot read', () => {
    expect(cpuMsFromStat('garbage')).toBeUndefined();
  });
});

describe(cpuPerRequest.name, () => {
  it('divides each process CPU time between the readings by the requests, skipping ones read only once', () => {
    const sut = cpuPerRequest(
      new Map([
        ['ingress', 1000],
        ['gone', 5],
      ]),
      new Map([
        ['ingress', 1500],
        ['new', 10],
      ]),
      1000,
    );
    expect([...sut]).toEqual([['ingress', 0.5]]);
  });
  it('is empty when nothing was sent', () => {
    expect(cpuPerRequest(new Map([['a', 1]]), new Map([['a', 2]]), 0).size).toBe(0);
  });
});
