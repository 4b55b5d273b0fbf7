import { type ServiceName, parseServiceList } from '@switchyard/launcher';
import { InvalidArgumentError } from 'commander';

// Option values parsed as commander reads them: a bad one is a usage error naming the option and the value
// (`option '--requests <n>' argument 'ten' is invalid. Expected a whole number above 0.`), exit code 2.

export function positiveInt(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n <= 0)
    throw new InvalidArgumentError('Expected a whole number above 0.');
  return n;
}

export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0)
    throw new InvalidArgumentError('Expected a whole number, 0 or more.');
  return n;
}

/** A fold count: 0 (none) or a whole number from 2 to 100. */
export function foldCount(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0 || n === 1 || n > 100)
    throw new InvalidArgumentError('Expected 0 or a whole number from 2 to 100.');
  return n;
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError('Expected a number above 0.');
  return n;
}

export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new InvalidArgumentError('Expected a number, 0 or more.');
  return n;
}

/** A number in [min, max]. */
export function numberIn(min: number, max: number, what = ''): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max)
      throw new InvalidArgumentError(`Expected a number from ${min} to ${max}${what}.`);
    return n;
  };
}

/** A whole number in [min, max]. */
export function intIn(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`Expected a whole number from ${min} to ${max}.`);
    return n;
  };
}

/** `100,250,500`: whole numbers above 0, comma-separated. */
export function positiveIntList(value: string): number[] {
  const parts = value.split(',').map((p) => p.trim());
  if (parts.some((p) => !/^\d+$/.test(p) || Number(p) <= 0))
    throw new InvalidArgumentError('Expected whole numbers above 0, comma-separated.');
  return parts.map(Number);
}

/** `true` or `false`. */
export function booleanWord(value: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new InvalidArgumentError('Expected true or false.');
}

/** A string matching a pattern (tenant names, ids), with the rule it breaks. */
export function matching(pattern: RegExp, rule: string): (value: string) => string {
  return (value) => {
    if (pattern.test(value)) return value;
    throw new InvalidArgumentError(`It ${rule}.`);
  };
}

/** `serve --services`: all, or a comma-separated list of service names. */
export function serviceList(value: string): ServiceName[] {
  try {
    return parseServiceList(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}
