import { DEFAULT_TARGETS, SCENARIOS, Scenario, TARGETS, Target } from './layout';

export interface BenchOptions {
  memberships: number;
  organizations: number;
  callersPerOrganization: number;
  duration: number;
  warmup: number;
  rounds: number;
  connections: number;
  poolSize: number;
  scenarios: Scenario[];
  targets: Target[];
  json?: string;
  scale: boolean;
  scaleSizes: number[];
  cpuProf: boolean;
  serverUrl: string;
  appEnv: Record<string, string>;
  keepDatabase: boolean;
  /** The directory holding the built app (dist/main.js), e.g. a build of another commit. */
  appRoot?: string;
  /** Node binaries every target runs under, each in turn (default: the bench's own). */
  nodes: string[];
  /** Node flags for the app instead of those of `npm run start:prod` ('' for none). */
  appFlags?: string;
  /** Measure event delivery instead: the app alone against the app delivering webhooks. */
  events: boolean;
  /** `--scenarios check`: the decision point's evaluation beside a GET, at two sizes. */
  check: boolean;
  /** Set by --events for its half-load runs: the load's fixed rate, requests per second. */
  rate?: number;
}

export const USAGE = `npm run bench -- [options]

  --memberships N        memberships to seed (default 100000)
  --organizations N      organizations they are spread over (default 100)
  --callers-per-org N    administrators per organization given a session (default 10)
  --duration S           measured seconds per run (default 10)
  --warmup S             unmeasured seconds before each run (default 3)
  --rounds N             rounds alternating app / reference / same-work (default 3)
  --connections N        autocannon connections (default 50)
  --pool-size N          database pool of the app and of both baselines (default 10)
  --scenarios LIST       comma list of ${SCENARIOS.join(', ')} (default all), or check: the
                         AuthZEN evaluation beside the GET of one membership and beside the
                         framework floor sending the same statement, at the two --scale-sizes
                         (p50 at the larger / p50 at the smaller)
  --targets LIST         comma list of ${TARGETS.join(', ')}
                         (default ${DEFAULT_TARGETS.join(', ')}; --scale: app,reference)
  --json FILE            also write the results as JSON
  --scale                profile p50/p99 at 10,000 and 1,000,000 memberships, and their ratio
  --scale-sizes A,B      the two sizes of --scale (default 10000,1000000)
  --cpu-prof             after the rounds, profile the app (node --cpu-prof) under the profile
                         scenario and print where its time goes
  --server-url URL       MySQL/MariaDB server, no database (default $BENCH_DATABASE_SERVER_URL
                         or mysql://root@127.0.0.1:3306)
  --app-env KEY=VALUE    extra environment for the app (repeatable), e.g. LOG_LEVEL=info; the
                         bench sets RATE_LIMIT_PER_ADDRESS_PER_MINUTE and
                         RATE_LIMIT_PER_USER_PER_MINUTE to 1000000 (limits on, never reached)
                         and TRUST_PROXY=loopback (each caller sends its own X-Forwarded-For;
                         TRUST_PROXY=false puts all the load under one address)
  --keep-database        do not drop the bench database(s) at the end
  --app-root DIR         measure the app built in DIR (DIR/dist/main.js) instead of this one,
                         e.g. an earlier commit for a before/after table
  --app-flags FLAGS      start the app with these Node flags instead of those of npm run
                         start:prod ('' for none), e.g. to price a heap setting with --node
                         wrappers
  --node PATH            run every target under this Node binary (repeatable: each target runs
                         under each, ratios are taken within one Node), e.g. --node "$(which
                         node)" --node var/ci/node24/bin/node to compare Node 20 and 24; a
                         wrapper script (exec node --flag "$@") compares Node flags
  --events               the profile scenario against the app alone and the app delivering
                         webhooks (one endpoint per organization, a receiver on loopback):
                         throughput ratio and the relay's lag p50/p99
`;

function positiveInteger(name: string, value: string | undefined): number {
  const number = Number(value);
  if (value === undefined || !Number.isSafeInteger(number) || number < 1) {
    throw new Error(`${name} needs a positive integer, got ${value ?? 'nothing'}`);
  }
  return number;
}

function list<T extends string>(name: string, value: string | undefined, allowed: readonly T[]) {
  const items = (value ?? '').split(',').filter((item) => item.length > 0);
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) {
      throw new Error(`${name}: ${item} is not one of ${allowed.join(', ')}`);
    }
  }
  if (items.length === 0) throw new Error(`${name} needs at least one of ${allowed.join(', ')}`);
  return items as T[];
}

export function parseOptions(argv: string[]): BenchOptions | 'help' {
  const options: BenchOptions = {
    memberships: 100_000,
    organizations: 100,
    callersPerOrganization: 10,
    duration: 10,
    warmup: 3,
    rounds: 3,
    connections: 50,
    poolSize: 10,
    scenarios: [...SCENARIOS],
    targets: [...DEFAULT_TARGETS],
    scale: false,
    scaleSizes: [10_000, 1_000_000],
    cpuProf: false,
    serverUrl: process.env.BENCH_DATABASE_SERVER_URL ?? 'mysql://root@127.0.0.1:3306',
    // Rate limiting stays on (its guards and counters run) with limits the load never reaches
    // (at the app's defaults the hot-row callers would get 429s), and each caller has its own
    // address in X-Forwarded-For, trusted from loopback as behind a load balancer.
    appEnv: {
      RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '1000000',
      RATE_LIMIT_PER_USER_PER_MINUTE: '1000000',
      TRUST_PROXY: 'loopback',
    },
    keepDatabase: false,
    nodes: [],
    events: false,
    check: false,
  };
  let targetsGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => argv[++i];
    switch (arg) {
      case '--help':
      case '-h':
        return 'help';
      case '--memberships':
        options.memberships = positiveInteger(arg, value());
        break;
      case '--organizations':
        options.organizations = positiveInteger(arg, value());
        break;
      case '--callers-per-org':
        options.callersPerOrganization = positiveInteger(arg, value());
        break;
      case '--duration':
        options.duration = positiveInteger(arg, value());
        break;
      case '--warmup':
        options.warmup = Number(value());
        if (!(options.warmup >= 0)) throw new Error('--warmup needs a number of seconds');
        break;
      case '--rounds':
        options.rounds = positiveInteger(arg, value());
        break;
      case '--connections':
        options.connections = positiveInteger(arg, value());
        break;
      case '--pool-size':
        options.poolSize = positiveInteger(arg, value());
        break;
      case '--scenarios': {
        const chosen = list(arg, value(), [...SCENARIOS, 'check'] as const);
        options.check = chosen.includes('check');
        options.scenarios = chosen.filter((item) => item !== 'check');
        break;
      }
      case '--targets':
        options.targets = list(arg, value(), TARGETS);
        targetsGiven = true;
        break;
      case '--json':
        options.json = value();
        if (!options.json) throw new Error('--json needs a file name');
        break;
      case '--scale':
        options.scale = true;
        break;
      case '--scale-sizes': {
        const sizes = (value() ?? '').split(',').map((size) => positiveInteger(arg, size));
        if (sizes.length !== 2)
          throw new Error('--scale-sizes needs two sizes, e.g. 10000,1000000');
        options.scaleSizes = sizes;
        break;
      }
      case '--cpu-prof':
        options.cpuProf = true;
        break;
      case '--server-url':
        options.serverUrl = value() ?? '';
        break;
      case '--app-env': {
        const pair = value() ?? '';
        const at = pair.indexOf('=');
        if (at < 1) throw new Error('--app-env needs KEY=VALUE');
        options.appEnv[pair.slice(0, at)] = pair.slice(at + 1);
        break;
      }
      case '--events':
        options.events = true;
        break;
      case '--keep-database':
        options.keepDatabase = true;
        break;
      case '--app-root':
        options.appRoot = value();
        if (!options.appRoot) throw new Error('--app-root needs a directory');
        break;
      case '--app-flags':
        options.appFlags = value() ?? '';
        break;
      case '--node': {
        const node = value();
        if (!node) throw new Error('--node needs the path of a node binary');
        options.nodes.push(node);
        break;
      }
      default:
        throw new Error(`Unknown option ${arg}\n\n${USAGE}`);
    }
  }
  if (options.scale && !targetsGiven) options.targets = ['app', 'reference'];
  if (options.nodes.length === 0) options.nodes.push(process.execPath);
  if (!/^mysql:\/\/[^/]+\/?$/.test(options.serverUrl)) {
    throw new Error('--server-url must look like mysql://user:pass@host:port (no database)');
  }
  options.serverUrl = options.serverUrl.replace(/\/$/, '');
  return options;
}
