import { LOG_GUARD } from './log-guard';
import { CatalogueWatch } from './sql-catalogue';

// Runs in every e2e test file (jest.config.js). After each test: the log lines it wrote, and
// the SQL its apps sent, must hold nothing undeclared.
const catalogue = new CatalogueWatch();
catalogue.start();

afterEach(() => {
  catalogue.check('after this test');
  LOG_GUARD.checkTest('after this test');
});

afterAll(() => {
  catalogue.check('after the last test');
  catalogue.stop();
});
