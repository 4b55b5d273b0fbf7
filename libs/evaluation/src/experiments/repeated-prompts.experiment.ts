// Measured (docs/benchmarks.md, the headline's bullet on repeated questions): MMLU-Pro repeats 159 of its
// questions word for word, so a random split puts some test prompts in the train part too (60 at seed 0).
// Does the router score better because of them? The test part's APGR with those rows left out, against
// random subsets of the test part of the same size (what leaving any rows out moves it by).
// Not part of `npm test` (a minute or more a split); run it with:
//
//   SEEDS=0,1,2 npx jest -c libs/evaluation/jest.config.js --testMatch '**/experiments/repeated-prompts.experiment.ts'
import { LearnedRouter, mulberry32, trainLearnedRouter } from '@switchyard/routing';
import { experimentCases, experimentRows } from './experiment-rows';
import { experimentScorer } from './experiment-scorer';

jest.setTimeout(3_600_000);

const SUBSETS = 30;

it('prints the APGR of the test part without the prompts the train part repeats, and of random subsets as large', () => {
  for (const { seed, trainEx, testEx } of experimentCases(experimentRows())) {
    const artifact = trainLearnedRouter(trainEx, { version: 'x', seed });
    const router = new LearnedRouter(artifact);
    const preds = testEx.map((e) => Float64Array.from(router.predictQuality(e.text).quality));
    const scorer = experimentScorer(artifact.models, testEx, { modelsAlone: true });
    const apgrOf = (rows: number[]) =>
      scorer.apgr(
        rows.map((i) => preds[i]),
        rows,
      );
    const inTrain = new Set(trainEx.map((e) => e.text));
    const unseen = testEx.flatMap((e, i) => (inTrain.has(e.text) ? [] : [i]));
    const rand = mulberry32(seed + 7);
    const subsets = Array.from({ length: SUBSETS }, () => {
      const order = testEx.map((_, i) => i);
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
      return apgrOf(order.slice(0, unseen.length).sort((a, b) => a - b));
    });
    const mean = subsets.reduce((a, b) => a + b, 0) / SUBSETS;
    const sd = Math.sqrt(subsets.reduce((a, b) => a + (b - mean) ** 2, 0) / SUBSETS);
    process.stdout.write(
      `seed ${seed}: ${testEx.length - unseen.length} of ${testEx.length} test prompts in the train part; APGR ${scorer.apgr(preds).toFixed(3)} with them, ${apgrOf(unseen).toFixed(3)} without; ${SUBSETS} random subsets as large: ${mean.toFixed(3)} ± ${sd.toFixed(3)}\n`,
    );
  }
});
