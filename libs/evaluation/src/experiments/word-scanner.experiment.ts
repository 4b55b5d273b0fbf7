// Measured (docs/benchmarks.md, "Words of every script"): the featurizer's word scanner read runs of Latin
// letters and digits and single Han characters; `letters` (the default since) reads letters, marks and
// digits of any script, each character of an unspaced script (Han, kana, Thai, ...) alone. MMLU-Pro is
// English, so this checks that the change costs nothing where the old scanner already read every word
// (Greek letters in formulas and accented names are what change). The router is trained as `switchyard
// eval` trains it (tuned) with each scanner, and the test part is scored once per choice.
// Not part of `npm test` (about a minute a router); run it with:
//
//   DATASET=../shared/datasets/mmlu-pro/mmlu-pro-routing.jsonl SEEDS=0,1,2 WORDS=letters,latin-han \
//     npx jest -c libs/evaluation/jest.config.js --testMatch '**/experiments/word-scanner.experiment.ts'
//
// and with TRAIN_SIZE=1000 or HOLD_OUT_TASK=health; on another script with
// DATASET=out/stress-sets/other-script.jsonl (`node tools/stress/make-stress-sets.cjs` writes it).
import { WORD_SCANNERS, type WordScanner, trainLearnedRouter } from '@switchyard/routing';
import { experimentCases, experimentRows } from './experiment-rows';
import { routerSummary } from './experiment-scorer';

jest.setTimeout(6 * 3_600_000);

it('prints the test-part curve of the router with each word scanner', () => {
  const scanners = (process.env['WORDS'] ?? WORD_SCANNERS.join(',')).split(',') as WordScanner[];
  for (const { label, trainEx, testEx } of experimentCases(experimentRows())) {
    for (const words of scanners) {
      const started = Date.now();
      const artifact = trainLearnedRouter(trainEx, { version: 'x', words });
      const summary = routerSummary(artifact, testEx, { started });
      process.stdout.write(`${label}, words ${words}: ${summary}\n`);
    }
  }
});
