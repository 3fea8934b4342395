import type { INestApplicationContext, Logger } from '@nestjs/common';
import { loadConfig } from '../config';
import { DatabaseNotConnectedError, DatabaseService } from '../database';
import { printDevelopmentBanner } from './development-banner';

describe('printDevelopmentBanner', () => {
  it('says why no tokens were printed, never with empty parentheses', async () => {
    const app = {
      get: (token: unknown) => {
        expect(token).toBe(DatabaseService);
        return { query: () => Promise.reject(new DatabaseNotConnectedError()) };
      },
    } as unknown as INestApplicationContext;
    const warnings: string[] = [];
    const logger = {
      log: () => undefined,
      warn: (message: string) => warnings.push(message),
    } as unknown as Logger;

    await printDevelopmentBanner(app, loadConfig({}), 'http://localhost:3000', logger);

    expect(warnings).toEqual([
      'No demo tokens printed (not connected to the database yet). Get tokens with: ' +
        'npm run token -- --subject <subject> --organization <id>',
    ]);
  });
});
