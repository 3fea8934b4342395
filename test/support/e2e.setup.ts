import { LOG_GUARD } from './log-guard';

// Runs in every e2e test file (jest.config.js): the log lines of the test that just ended.
afterEach(() => {
  LOG_GUARD.checkTest('after this test');
});
