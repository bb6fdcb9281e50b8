/**
 * Prints one closing line, `vitest: N passed, N failed, N skipped`, that CI reads.
 * Vitest's own summary is for people; this line is for machines.
 */
import type { Reporter, TestModule } from 'vitest/node';

export default class CountReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
      // A module that failed to load has no tests but must still count as a failure.
      if (module.state() === 'failed' && [...module.children.allTests()].length === 0) failed++;
    }
    process.stdout.write(`vitest: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
    const skippedSuite = process.env['TAPEGRAD_BROWSER_SKIPPED'];
    if (skippedSuite !== undefined) process.stdout.write(`${skippedSuite}\n`);
  }
}
