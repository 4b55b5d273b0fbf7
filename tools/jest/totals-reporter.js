// Writes each jest run's totals to tmp/test-results/<project>.json, so scripts/test.sh can print one
// "N passed, N failed" line for the whole suite, however many projects Nx ran.
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
    };
    writeFileSync(join(dir, `${this.name}.json`), JSON.stringify(totals));
  }
}

module.exports = TotalsReporter;
