// The keyword matcher against an earlier version of itself, side by side in one process: the same keywords
// found, and the time of each over the same prompts, alternating, so the machine's noise falls on both.
// Measured in docs/benchmarks.md ("Decision latency, in process": keyword rules in every spaced script).
// Not part of `npm test`; with the version to compare written beside this file first:
//
//   git show 906d0d5:libs/routing/src/features/keyword-matcher.ts > libs/routing/src/features/keyword-matcher-before.ts
//   npx jest -c libs/routing/jest.config.js --testMatch '**/keyword-matcher-speed.experiment.ts'
//   rm libs/routing/src/features/keyword-matcher-before.ts
//
// The keywords: the difficulty dimensions', what every decision scans for. DATASET: the prompts (MMLU-Pro's
// routing file by default, its first 3,000).
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DIFFICULTY_DIMENSIONS } from './difficulty';
import { KeywordMatcher } from './keyword-matcher';

jest.setTimeout(600_000);

interface Matcher {
  findIn(lowerText: string): string[];
}

it('finds the same keywords as the version before, and prints the time ratio per round', () => {
  const before = join(__dirname, 'keyword-matcher-before.ts');
  if (!existsSync(before)) throw new Error(`write the version to compare to ${before} first (see the file's head)`);
  const Before = (require(before) as { KeywordMatcher: new (keywords: readonly string[]) => Matcher }).KeywordMatcher;
  const prompts = readFileSync(
    resolve(process.env['DATASET'] ?? '../shared/datasets/mmlu-pro/mmlu-pro-routing.jsonl'),
    'utf8',
  )
    .split('\n')
    .filter(Boolean)
    .slice(0, 3000)
    .map((l) => (JSON.parse(l) as { prompt: string }).prompt.toLowerCase());
  const keywords = Object.values(DIFFICULTY_DIMENSIONS).flatMap((d) => [...d.keywords]);
  const old: Matcher = new Before(keywords);
  const now: Matcher = new KeywordMatcher(keywords);
  for (const p of prompts) expect(now.findIn(p).sort()).toEqual(old.findIn(p).sort());
  const time = (m: Matcher) => {
    const start = process.hrtime.bigint();
    for (let r = 0; r < 5; r++) for (const p of prompts) m.findIn(p);
    return Number(process.hrtime.bigint() - start) / 1e6;
  };
  time(old);
  time(now); // warm-up round, not counted
  const rounds = Array.from({ length: 5 }, () => {
    const a = time(old);
    const b = time(now);
    return `${a.toFixed(0)} ms before, ${b.toFixed(0)} ms now: ${(b / a).toFixed(3)}`;
  });
  process.stdout.write(`${prompts.length} prompts × 5, ${keywords.length} keywords\n${rounds.join('\n')}\n`);
});
