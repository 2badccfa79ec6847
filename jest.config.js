// Four projects: unit (node), component (jsdom + miniprogram-simulate on dist/miniprogram),
// e2e (the whole local stack on random ports over real HTTP), reliability (test/reliability). Type errors are caught by
// `npm run typecheck`, so ts-jest only transpiles here.
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.node.json', diagnostics: false }] };
// Tests wait on conditions (bounded waits of their own); jest's default 5 s per test is wall-clock
// and a first test that also generates the sandbox keys overruns it on a loaded machine (two cores,
// several suites at once). jest-circus reads this from the global config only, not per project.
module.exports = {
  testTimeout: 30_000,
  projects: [
    { displayName: 'unit', testEnvironment: 'node', testMatch: ['<rootDir>/test/unit/**/*.test.ts'], transform },
    { displayName: 'component', testEnvironment: 'jsdom', testMatch: ['<rootDir>/test/component/**/*.test.ts'], transform },
    { displayName: 'e2e', testEnvironment: 'node', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'], transform, slowTestThreshold: 30 },
    // Fuzzing, simulation, storm, concurrency, secrets: counted, one table at the end (test/reliability/report.ts).
    {
      displayName: 'reliability',
      testEnvironment: 'node',
      testMatch: ['<rootDir>/test/reliability/**/*.test.ts'],
      transform,
      slowTestThreshold: 60,
      globalSetup: '<rootDir>/test/reliability/global-setup.ts',
      globalTeardown: '<rootDir>/test/reliability/global-teardown.ts',
    },
  ],
};
