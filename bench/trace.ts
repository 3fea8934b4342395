/** The statements one PATCH sends, read off the wire by a proxy in front of the database. */
import { join } from 'node:path';
import { Scenario, Target } from './lib/layout';
import { BenchOptions } from './lib/options';
import { stopProcess } from './lib/processes';
import { requestFor } from './lib/scenarios';
import { Secrets, resetScopes } from './lib/seed';
import {
  RecordedCommand,
  StatementProxy,
  normalizeStatement,
  splitRelayStatements,
} from './lib/statement-proxy';
import { BenchDatabase, LOGS, startReadyTarget } from './shared';

/** Starts `target` behind the statement proxy and records what one request of `scenario` sends. */
async function traceStatements(
  options: BenchOptions,
  secrets: Secrets,
  database: BenchDatabase,
  target: Target,
  scenario: Scenario,
): Promise<RecordedCommand[]> {
  if (scenario === 'scope') await resetScopes(database.url, database.layout);
  const upstream = new URL(options.serverUrl);
  const proxy = new StatementProxy(upstream.hostname, Number(upstream.port || 3306));
  const proxyPort = await proxy.listen();
  const proxied = new URL(database.url);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(proxyPort);
  const logFile = join(LOGS, `${database.name}-trace-${scenario}-${target}.log`);
  const server = await startReadyTarget(
    target,
    process.execPath,
    [],
    proxied.toString(),
    secrets,
    options,
    options.appEnv,
    logFile,
  ).catch(async (error: unknown) => {
    await proxy.close();
    throw error;
  });
  const port = server.port;
  try {
    // Two requests: the first may include one-time work (connections, prepared statements).
    let commands: RecordedCommand[] = [];
    for (let i = 0; i < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      proxy.clear();
      const template = requestFor(scenario, database.layout, database.callers);
      const context: Record<string, unknown> = {};
      const request = template.setupRequest?.({ ...template, headers: {} }, context) ?? template;
      const response = await fetch(`http://127.0.0.1:${port}${request.path ?? '/'}`, {
        method: request.method ?? 'PATCH',
        headers: request.headers,
        body: request.body,
        signal: AbortSignal.timeout(10_000),
      });
      const text = await response.text();
      template.onResponse?.(response.status, text, context, {});
      if (response.status !== 200) {
        throw new Error(
          `${target} ${scenario}: the traced PATCH answered ${response.status}: ${text}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
      commands = [...proxy.commands];
    }
    return commands;
  } finally {
    await stopProcess(server.child);
    await proxy.close();
  }
}

interface StatementTrace {
  scenario: Scenario;
  app: string[];
  /** What the app's event relay sent meanwhile, woken by the request's commit. */
  relay: string[];
  sameWork: string[];
  reference: string[];
  sameWorkMatches: boolean;
}

export async function traceAll(
  options: BenchOptions,
  secrets: Secrets,
  database: BenchDatabase,
): Promise<StatementTrace[]> {
  const traces: StatementTrace[] = [];
  console.log('\nStatements one PATCH sends, read off the wire (second request of each server):');
  for (const scenario of options.scenarios) {
    const texts = (commands: RecordedCommand[]) => commands.map((command) => command.text);
    const { request: app, relay } = splitRelayStatements(
      await traceStatements(options, secrets, database, 'app', scenario),
    );
    const sameWork = texts(
      await traceStatements(options, secrets, database, 'same-work', scenario),
    );
    const reference = texts(
      await traceStatements(options, secrets, database, 'reference', scenario),
    );
    const sameWorkMatches =
      app.map(normalizeStatement).join('\n') === sameWork.map(normalizeStatement).join('\n');
    traces.push({ scenario, app, relay, sameWork, reference, sameWorkMatches });
    const short = (text: string) => (text.length > 150 ? `${text.slice(0, 147)}...` : text);
    console.log(
      `\n  ${scenario}: app ${app.length}, same-work ${sameWork.length}, reference ${reference.length}`,
    );
    for (const text of app) console.log(`    app: ${short(text)}`);
    if (relay.length > 0) {
      console.log(
        `    and ${relay.length} statements of the event relay, woken by the commit (not the request's)`,
      );
    }
    if (sameWorkMatches) {
      console.log('    same-work: the same statements');
    } else {
      console.log(
        '    same-work DIFFERS from the app: update bench/baselines/same-work-statements.ts',
      );
      for (const text of sameWork) console.log(`    same-work: ${short(text)}`);
    }
  }
  console.log('');
  return traces;
}
