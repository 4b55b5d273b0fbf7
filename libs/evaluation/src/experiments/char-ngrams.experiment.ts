// Measured (docs/benchmarks.md, "Which character n-grams"): the featurizer counts words, word pairs and
// character n-grams of 2 to 4 characters (which carry Chinese, where words are not spaced, and word parts
// in any language). Here the router is trained as `switchyard eval` trains it (tuned) with other n-gram
// lengths, or none (words and word pairs alone), and the test part is scored once per choice.
// Not part of `npm test` (about a minute a router); run it with:
//
//   DATASET=../shared/datasets/mmlu-pro/mmlu-pro-routing.jsonl SEEDS=0,1,2 NGRAMS=2-4,3-5,2-5,1-3,none \
//     npx jest -c libs/evaluation/jest.config.js --testMatch '**/experiments/char-ngrams.experiment.ts'
//
// and with TRAIN_SIZE=1000 or HOLD_OUT_TASK=health.
import { trainLearnedRouter } from '@switchyard/routing';
import { experimentCases, experimentRows } from './experiment-rows';
import { routerSummary } from './experiment-scorer';

jest.setTimeout(6 * 3_600_000);

function lengths(spec: string): [number, number] {
  if (spec === 'none') return [1, 0];
  const [lo, hi] = spec.split('-').map(Number);
  return [lo, hi];
}

it('prints the test-part curve of the router with each choice of character n-grams', () => {
  const specs = (process.env['NGRAMS'] ?? '2-4,3-5,2-5,1-3,none').split(',');
  for (const { label, trainEx, testEx } of experimentCases(experimentRows())) {
    for (const spec of specs) {
      const started = Date.now();
      const artifact = trainLearnedRouter(trainEx, { version: 'x', charNgrams: lengths(spec) });
      const summary = routerSummary(artifact, testEx, { started });
      process.stdout.write(`${label}, character n-grams ${spec}: ${summary}\n`);
    }
  }
});
