/**
 * `npm run bench`: the PATCH under load, the built app against two framework-free baselines in
 * the same run (see bench/README.md). Everything it starts stops with it; its databases are
 * dropped at the end.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { summarize } from './cpu-profile-summary';
import { checkBench } from './check';
import { eventsBench } from './events';
import { BenchOptions, USAGE, parseOptions } from './lib/options';
import { cpuSeconds, forkDriver, killAll, stopProcess } from './lib/processes';
import { Secrets, dropDatabase, newSecrets, withConnection } from './lib/seed';
import { RunRecord, measure } from './measure';
import { ProfiledRun, cpuProfile, profileJson } from './profile';
import { Summary, describe, fixed, printResults, ratios, summarizeRuns, table } from './report';
import {
  DRIVER_ENTRY,
  LOGS,
  NodeBinary,
  RESULTS,
  appEntry,
  log,
  nodeBinary,
  prepareDatabase,
  setAppRoot,
  startReadyTarget,
  state,
} from './shared';
import { traceAll } from './trace';

function rotate<T>(items: T[], by: number): T[] {
  const shift = by % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

async function mainBench(options: BenchOptions, secrets: Secrets, nodes: NodeBinary[]) {
  const database = await prepareDatabase(options, secrets, options.memberships, '');
  const statements = await traceAll(options, secrets, database);
  const runs = options.rounds * options.scenarios.length * options.targets.length * nodes.length;
  log(
    `${runs} runs, about ${Math.ceil((runs * (options.duration + options.warmup + 4)) / 60)} min`,
  );
  const records: RunRecord[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    for (const scenario of options.scenarios) {
      // The order of the targets (and Nodes) rotates each round, so that drift favours none.
      for (const node of rotate(nodes, round - 1)) {
        for (const target of rotate(options.targets, round - 1)) {
          const record = await measure(options, secrets, database, target, scenario, round, node);
          records.push(record);
          log(describe(record));
        }
      }
    }
  }
  const summaries = summarizeRuns(records).sort(
    (a, b) =>
      options.scenarios.indexOf(a.scenario) - options.scenarios.indexOf(b.scenario) ||
      a.node.localeCompare(b.node) ||
      options.targets.indexOf(a.target) - options.targets.indexOf(b.target),
  );
  const list = ratios(summaries, records);
  printResults(summaries, list, options, records);
  const profile: ProfiledRun[] = [];
  if (options.cpuProf) {
    for (const node of nodes) profile.push(...(await cpuProfile(options, secrets, database, node)));
  }
  return {
    statements,
    summaries,
    ratios: list,
    records,
    cpuProfiles: profile.map(profileJson),
  };
}

/** --scale measures under the first --node only: it compares sizes, not Nodes. */
async function scaleBench(options: BenchOptions, secrets: Secrets, node: NodeBinary) {
  const [small, large] = options.scaleSizes;
  const databases = [
    await prepareDatabase(options, secrets, small, '_s'),
    await prepareDatabase(options, secrets, large, '_l'),
  ];
  const runs = options.rounds * 2 * options.targets.length;
  log(
    `${runs} runs, about ${Math.ceil((runs * (options.duration + options.warmup + 4)) / 60)} min`,
  );
  const records: RunRecord[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    for (const database of rotate(databases, round - 1)) {
      for (const target of rotate(options.targets, round - 1)) {
        const record = await measure(options, secrets, database, target, 'profile', round, node);
        records.push(record);
        log(`${database.layout.memberships.toLocaleString('en').padStart(9)}: ${describe(record)}`);
      }
    }
  }
  const summaries = summarizeRuns(records).sort(
    (a, b) =>
      options.targets.indexOf(a.target) - options.targets.indexOf(b.target) ||
      a.memberships - b.memberships,
  );
  console.log(
    `\nScaling, profile scenario: ${options.connections} connections, ${options.duration} s per run, ` +
      `medians of ${options.rounds} rounds\n`,
  );
  console.log(
    table(
      [
        'target',
        'memberships',
        'req/s',
        'p50 ms',
        'p99 ms',
        'non-2xx',
        'CPU ms/req',
        'DB CPU ms/req',
      ],
      summaries.map((s) => [
        s.target,
        s.memberships.toLocaleString('en'),
        s.requestsPerSecond.toFixed(0),
        String(s.p50),
        String(s.p99),
        String(s.non2xx),
        fixed(s.cpuMsPerRequest, 3),
        fixed(s.databaseCpuMsPerRequest, 3),
      ]),
    ),
  );
  const scaling = options.targets.map((target) => {
    const at = (size: number) =>
      summaries.find((s) => s.target === target && s.memberships === size) as Summary;
    return {
      target,
      p50Ratio: at(large).p50 / at(small).p50,
      p99Ratio: at(large).p99 / at(small).p99,
      requestsPerSecondRatio: at(large).requestsPerSecond / at(small).requestsPerSecond,
    };
  });
  console.log('');
  for (const s of scaling) {
    console.log(
      `${s.target}: p50 at ${large.toLocaleString('en')} / p50 at ${small.toLocaleString('en')} = ` +
        `${s.p50Ratio.toFixed(2)}; p99 ratio ${s.p99Ratio.toFixed(2)}; req/s ratio ` +
        `${s.requestsPerSecondRatio.toFixed(2)}`,
    );
  }
  const profile = options.cpuProf
    ? await cpuProfile(options, secrets, databases[1], node)
    : undefined;
  return { summaries, scaling, records, cpuProfiles: profile?.map(profileJson) };
}

async function cleanup(): Promise<void> {
  state.cleaning ??= (async () => {
    killAll();
    const options = state.options;
    if (options && !options.keepDatabase) {
      for (const name of state.databases) {
        await dropDatabase(options.serverUrl, name).catch((error: Error) =>
          console.error(`could not drop ${name}: ${error.message}`),
        );
      }
    } else if (state.databases.length) {
      console.log(`kept database(s): ${state.databases.join(', ')}`);
    }
  })();
  return state.cleaning;
}

async function main(): Promise<void> {
  const parsed = parseOptions(process.argv.slice(2));
  if (parsed === 'help') {
    console.log(USAGE);
    return;
  }
  const options = parsed;
  state.options = options;
  if (options.appRoot) setAppRoot(resolve(options.appRoot));
  if (!existsSync(appEntry())) throw new Error(`${appEntry()} is missing: run npm run build first`);
  mkdirSync(LOGS, { recursive: true });
  for (const name of readdirSync(LOGS)) rmSync(join(LOGS, name), { force: true });
  const serverVersion = await withConnection(options.serverUrl, async (c) => {
    const [rows] = await c.query('SELECT VERSION() AS `version`');
    return (rows as { version: string }[])[0].version;
  });
  const nodes = options.nodes.map(nodeBinary);
  // The same Node twice (a wrapper script with other flags, say): told apart by file name.
  const versions = nodes.map((node) => node.version);
  for (const node of nodes) {
    if (versions.filter((version) => version === node.version).length > 1) {
      node.version = `${node.version} ${basename(node.path)}`;
    }
  }
  log(
    `database server ${serverVersion}; targets on Node ${nodes.map((n) => n.version).join(', ')}` +
      ` (the bench itself on ${process.version}); ${cpus().length} CPUs`,
  );
  const secrets = newSecrets();
  state.driver = forkDriver(DRIVER_ENTRY);
  const results = options.check
    ? { check: await checkBench(options, secrets, nodes[0]) }
    : options.events
      ? {
          events: await eventsBench(options, {
            prepareDatabase: () => prepareDatabase(options, secrets, options.memberships, '_e'),
            measure: (database, appEnv, round, profileDir, rate) =>
              measure(
                { ...options, appEnv: { ...options.appEnv, ...appEnv }, rate },
                secrets,
                database,
                'app',
                'profile',
                round,
                nodes[0],
                profileDir,
              ),
            startApp: async (database, appEnv, label) => {
              const server = await startReadyTarget(
                'app',
                nodes[0].path,
                [],
                database.url,
                secrets,
                options,
                { ...options.appEnv, ...appEnv },
                join(LOGS, `${database.name}-${label}.log`),
              );
              return {
                cpuSeconds: () => cpuSeconds(server.child.pid) ?? NaN,
                stop: () => stopProcess(server.child),
              };
            },
            profile: async (database, appEnv, label) => {
              const dir = join(
                RESULTS,
                'profiles',
                `${database.name}-events-${label.replace('+', '-')}`,
              );
              mkdirSync(dir, { recursive: true });
              const with_ = { ...options, appEnv: { ...options.appEnv, ...appEnv } };
              log(`CPU profile of ${label}, profile scenario (node --cpu-prof)`);
              const record = await measure(
                with_,
                secrets,
                database,
                'app',
                'profile',
                0,
                nodes[0],
                dir,
              );
              log(describe(record));
              const file = readdirSync(dir)
                .filter((name) => name.endsWith('.cpuprofile'))
                .map((name) => join(dir, name))
                .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
              return { file, summary: summarize(file, record.windowUs), requests: record.requests };
            },
            log,
          }),
        }
      : options.scale
        ? { scale: await scaleBench(options, secrets, nodes[0]) }
        : { bench: await mainBench(options, secrets, nodes) };
  if (options.json) {
    const file = resolve(process.cwd(), options.json);
    writeFileSync(
      file,
      JSON.stringify(
        {
          date: new Date().toISOString(),
          node: process.version,
          targetNodes: nodes,
          cpus: cpus().length,
          databaseServer: serverVersion,
          options: { ...options, appEnv: Object.keys(options.appEnv) },
          ...results,
        },
        null,
        2,
      ),
    );
    log(`results written to ${file}`);
  }
}

process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping`);
    void cleanup().finally(() => process.exit(130));
  });
}

void main()
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  })
  .finally(() => cleanup().finally(() => process.exit()));
