// Writes each jest run's totals to tmp/test-results/<project>.json, so scripts/test.sh can print one
// "N passed, N failed" line for the whole suite, however many projects Nx ran, and the slowest spec files
// (the suite has a time budget: CI must finish it in 15 minutes).
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

class TotalsReporter {
  constructor(globalConfig, options) {
    this.name = (options && options.name) || 'jest';
  }

  onRunComplete(_contexts, results) {
    const dir = join(__dirname, '..', '..', 'tmp', 'test-results');
    mkdirSync(dir, { recursive: true });
    const totals = {
      passed: results.numPassedTests,
      failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
      skipped: results.numPendingTests + results.numTodoTests,
      files: results.testResults.map((r) => ({
        file: r.testFilePath,
        seconds: r.perfStats && r.perfStats.end ? (r.perfStats.end - r.perfStats.start) / 1000 : 0,
      })),
    };
    writeFileSync(join(dir, `${this.name}.json`), JSON.stringify(totals));
  }
}

module.exports = TotalsReporter;
