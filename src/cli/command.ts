import { AppConfig, ConfigError, loadConfig } from '../config';
import { databaseProblem, describeDatabase, errorSummary, isDriverError } from '../database';

/**
 * The one line a command prints when it fails, never a stack: what went wrong and what to do.
 * A database error names the database it tried (never the password) and the fix.
 */
export function failureLine(error: unknown, config: AppConfig | undefined): string {
  if (error instanceof ConfigError) return `Invalid configuration: ${error.problems.join('; ')}`;
  if (config !== undefined && isDriverError(error)) {
    return `Cannot use the ${describeDatabase(config.database)}: ${databaseProblem(error)}`;
  }
  return errorSummary(error);
}

/**
 * Runs a command (`npm run db:create`, `migration:run`, `seed:demo`, `purge`) with the validated
 * configuration. A failure ends the process with exit code 1 and its one line on stderr.
 */
export function runCommand(main: (config: AppConfig) => Promise<void>): void {
  let config: AppConfig | undefined;
  const run = async () => {
    config = loadConfig(process.env);
    await main(config);
  };
  run().catch((error: unknown) => {
    console.error(failureLine(error, config));
    process.exit(1);
  });
}
