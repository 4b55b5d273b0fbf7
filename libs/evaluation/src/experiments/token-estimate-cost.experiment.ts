// Measured (docs/benchmarks.md, "Token estimates by script"): what the token estimate by script
// (`estimateTokens`, twice on every decision) costs against the estimate before it (one token per Han
// character, a quarter per other code unit), side by side on the prompts of a routing dataset (the first
// 3,000): one pass of each to warm up, then five rounds of ten passes. Not part of `npm test` (it times);
// run it with:
//
//   DATASET=../shared/datasets/mmlu-pro/mmlu-pro-routing.jsonl \
//     npx jest -c libs/evaluation/jest.config.js --testMatch '**/experiments/token-estimate-cost.experiment.ts'
import { estimateTokens } from '@switchyard/contracts';
import { experimentRows } from './experiment-rows';

jest.setTimeout(600_000);

const HAN = /\p{Script=Han}/gu;
/** The estimate before (replaced by `estimateTokens`), kept here to time against. */
function before(text: string): number {
  const han = text.match(HAN)?.length ?? 0;
  return Math.ceil(han + (text.length - han) / 4);
}

it('prints what the estimate by script costs a prompt against the one before it', () => {
  const prompts = experimentRows()
    .slice(0, 3000)
    .map((r) => r.prompt);
  const beyond = prompts.filter((p) => /[\u0080-\uffff]/.test(p)).length;
  process.stdout.write(`${prompts.length} prompts, ${beyond} with a character beyond ASCII\n`);
  // Warm-up: both compiled, and the table of code points learnt.
  for (const p of prompts) {
    before(p);
    estimateTokens(p);
  }
  for (let round = 1; round <= 5; round++) {
    const line: string[] = [];
    for (const [name, estimate] of [
      ['before', before],
      ['now', estimateTokens],
    ] as const) {
      let tokens = 0;
      const started = process.hrtime.bigint();
      for (let pass = 0; pass < 10; pass++) for (const p of prompts) tokens += estimate(p);
      const us = Number(process.hrtime.bigint() - started) / 1e3 / (10 * prompts.length);
      line.push(`${name} ${us.toFixed(2)} µs a prompt (${tokens / 10} tokens in all)`);
    }
    process.stdout.write(`round ${round}: ${line.join('; ')}\n`);
  }
});
