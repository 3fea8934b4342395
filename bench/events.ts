import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { ProfileSummary, Share } from './cpu-profile-summary';
import type { BenchOptions } from './lib/options';
import { cpuSeconds, databaseServerPid } from './lib/processes';
import { median, table } from './report';
import { membershipView } from './lib/membership-view';
import { withConnection } from './lib/seed';
import { lagBench, percentile } from './events-lag';

/**
 * `npm run bench -- --events`: what delivering events costs the PATCH (DESIGN 11). The profile
 * scenario runs against the app alone (no webhook endpoint: the relay only marks events as
 * relayed) and against the app with one endpoint per organization subscribed to
 * membership.updated, all pointing at a receiver on loopback in this process. The receiver
 * measures the relay's lag, from the change (the event's timestamp) to its arrival. A third
 * variant, app+bare-post, is the app alone with one signed POST to the same receiver sent as each
 * PATCH is answered (lib/bare-post.ts, preloaded): no relay work at all, what delivering every
 * change costs on this machine whatever the relay does.
 */

export type EventsVariant = 'app' | 'app+webhooks' | 'app+bare-post';
const VARIANTS: EventsVariant[] = ['app', 'app+webhooks', 'app+bare-post'];
/** The drain and the profiles compare the relay alone and delivering. */
const RELAY_VARIANTS: EventsVariant[] = ['app', 'app+webhooks'];
const BARE_POST_PRELOAD = join(__dirname, 'lib', 'bare-post.js');

/** What a run of the main bench returns that this one reads. */
export interface MeasuredRun {
  requests: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  cpuMsPerRequest: number | null;
  databaseCpuMsPerRequest: number | null;
  windowUs: { startUs: number; endUs: number };
}

export interface EventsBenchDeps<D extends { url: string; layout: { organizations: number } }> {
  prepareDatabase(): Promise<D>;
  /** With `profileDir`, the app runs under `node --cpu-prof` writing there. */
  measure(
    database: D,
    appEnv: Record<string, string>,
    round: number,
    profileDir?: string,
    rate?: number,
  ): Promise<MeasuredRun>;
  /** Starts the app on the database, ready; `cpuSeconds` reads its CPU so far. */
  startApp(
    database: D,
    appEnv: Record<string, string>,
    label: string,
  ): Promise<{ cpuSeconds(): number; stop(): Promise<void> }>;
  /** `--cpu-prof`: one profiled run of the app, summarized over its measured seconds. */
  profile?(
    database: D,
    appEnv: Record<string, string>,
    label: EventsVariant,
  ): Promise<{ file: string; summary: ProfileSummary; requests: number }>;
  log(message: string): void;
}

interface Arrival {
  atUs: number;
  lagMs: number;
}

/** A receiver answering 204 at once, recording when each delivery arrived and its lag. */
class LagReceiver {
  arrivals: Arrival[] = [];
  private readonly server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const atUs = Number(process.hrtime.bigint() / 1000n);
      const { timestamp } = JSON.parse(Buffer.concat(chunks).toString()) as { timestamp: string };
      this.arrivals.push({ atUs, lagMs: Date.now() - Date.parse(timestamp) });
      response.writeHead(204).end();
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * This process's CPU (the receiver's, with the bench's own bookkeeping) sampled every 100 ms, so
 * that the part spent within a run's measured seconds can be read afterwards.
 */
class OwnCpuSampler {
  private readonly samples: { atUs: number; cpuUs: number }[] = [];
  private readonly timer = setInterval(() => this.sample(), 100);

  constructor() {
    this.sample();
  }

  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }

  /** CPU milliseconds between the samples nearest inside the window, scaled to the window. */
  msBetween(window: { startUs: number; endUs: number }): number {
    const inside = this.samples.filter(
      (sample) => sample.atUs >= window.startUs && sample.atUs <= window.endUs,
    );
    if (inside.length < 2) return NaN;
    const first = inside[0];
    const last = inside[inside.length - 1];
    const scale = (window.endUs - window.startUs) / (last.atUs - first.atUs);
    return ((last.cpuUs - first.cpuUs) * scale) / 1000;
  }

  private sample(): void {
    const { user, system } = process.cpuUsage();
    this.samples.push({ atUs: Number(process.hrtime.bigint() / 1000n), cpuUs: user + system });
  }
}

/**
 * Audit rows the relay has not handed on: its mark is NOT_YET (src/database/columns.ts) since
 * migration 1765100000000, NULL in builds before it (--app-root).
 */
const NOT_RELAYED = "(`relayedAt` IS NULL OR `relayedAt` = '1970-01-01 00:00:00.000')";

/** Endpoints for every organization (or none), and no event left pending from a previous run. */
async function prepareEndpoints(url: string, organizations: number, receiverUrl: string | null) {
  await withConnection(url, async (c) => {
    await c.query('DELETE FROM `webhook_endpoints`');
    await c.query('UPDATE `audit_events` SET `relayedAt` = UTC_TIMESTAMP(3) WHERE ' + NOT_RELAYED);
    if (receiverUrl === null) return;
    const rows = Array.from({ length: organizations }, (_, index) => [
      index + 1,
      receiverUrl,
      '["membership.updated"]',
      `whsec_${randomBytes(32).toString('base64')}`,
    ]);
    await c.query(
      'INSERT INTO `webhook_endpoints` (`organizationId`, `url`, `events`, `secret`, `enabled`, ' +
        '`createdAt`, `updatedAt`) VALUES ' +
        rows.map(() => '(?, ?, ?, ?, 1, UTC_TIMESTAMP(3), UTC_TIMESTAMP(3))').join(', '),
      rows.flat(),
    );
  });
}

/** Events the drain inserts: enough for a few seconds of relaying, short of a bench run. */
const DRAIN_EVENTS = 20_000;

/** N committed, unrelayed membership.updated events, spread over the organizations. */
async function insertPendingEvents(url: string, organizations: number, count: number) {
  const view = JSON.stringify(membershipView(new Date().toISOString()));
  await withConnection(url, async (c) => {
    for (let first = 0; first < count; first += 2000) {
      const rows: unknown[][] = [];
      for (let i = first; i < Math.min(count, first + 2000); i++) {
        const organizationId = (i % organizations) + 1;
        rows.push([
          organizationId,
          organizationId,
          '{"lastName":{"before":"A","after":"B"}}',
          randomUUID(),
          view,
        ]);
      }
      await c.query(
        'INSERT INTO `audit_events` (`organizationId`, `targetUserId`, `action`, `changes`, ' +
          '`eventId`, `data`, `createdAt`) VALUES ' +
          rows.map(() => "(?, ?, 'membership.updated', ?, ?, ?, UTC_TIMESTAMP(3))").join(', '),
        rows.flat(),
      );
    }
  });
}

/** Polls until the relay has handed on every event and no delivery is pending. */
async function drained(url: string): Promise<void> {
  await withConnection(url, async (c) => {
    for (;;) {
      const [rows] = await c.query(
        'SELECT (SELECT COUNT(*) FROM `audit_events` WHERE ' +
          NOT_RELAYED +
          ') AS `events`, ' +
          "(SELECT COUNT(*) FROM `webhook_deliveries` WHERE `status` = 'pending') AS `deliveries`",
      );
      const [counts] = rows as { events: number | string; deliveries: number | string }[];
      if (Number(counts.events) === 0 && Number(counts.deliveries) === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
}

/**
 * What one event costs the app to relay, without PATCH load: DRAIN_EVENTS events committed at
 * once, and the app's CPU (/proc) until all are handed on, alone (no endpoint: only the relayed
 * mark) and with one endpoint per organization. The difference per event is the delivery's own
 * cost, steadier than the throughput ratio on a shared machine (no other load competes for it).
 * The database server's CPU is read over the same span: the events' INSERT and the polling are
 * in both variants, so the difference is what the deliveries' statements cost it.
 */
async function drainCost<D extends { url: string; layout: { organizations: number } }>(
  options: BenchOptions,
  deps: EventsBenchDeps<D>,
  database: D,
  receiver: LagReceiver,
  receiverUrl: string,
) {
  const costs: Record<string, number[]> = { app: [], 'app+webhooks': [] };
  const databaseCosts: Record<string, number[]> = { app: [], 'app+webhooks': [] };
  const databasePid = databaseServerPid();
  for (let round = 1; round <= options.rounds; round++) {
    for (const variant of round % 2 === 1 ? RELAY_VARIANTS : [...RELAY_VARIANTS].reverse()) {
      const webhooks = variant === 'app+webhooks';
      await prepareEndpoints(
        database.url,
        database.layout.organizations,
        webhooks ? receiverUrl : null,
      );
      const app = await deps.startApp(
        database,
        webhooks ? { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' } : {},
        `drain-${variant}-r${round}`,
      );
      try {
        receiver.arrivals = [];
        const before = app.cpuSeconds();
        const databaseBefore = cpuSeconds(databasePid) ?? NaN;
        await insertPendingEvents(database.url, database.layout.organizations, DRAIN_EVENTS);
        await drained(database.url);
        const usPerEvent = ((app.cpuSeconds() - before) * 1e6) / DRAIN_EVENTS;
        const databaseUsPerEvent =
          (((cpuSeconds(databasePid) ?? NaN) - databaseBefore) * 1e6) / DRAIN_EVENTS;
        costs[variant].push(usPerEvent);
        databaseCosts[variant].push(databaseUsPerEvent);
        deps.log(
          `drain round ${round} ${variant.padEnd(12)} ${DRAIN_EVENTS} events: app CPU ` +
            `${usPerEvent.toFixed(0)} µs/event, database CPU ${databaseUsPerEvent.toFixed(0)} µs/event` +
            (webhooks ? `, ${receiver.arrivals.length} deliveries received` : ''),
        );
      } finally {
        await app.stop();
      }
    }
  }
  const relay = median(costs.app);
  const delivering = median(costs['app+webhooks']);
  return {
    relayUsPerEvent: relay,
    deliveringUsPerEvent: delivering,
    deliveryUsPerEvent: delivering - relay,
    databaseUsPerDelivery: median(databaseCosts['app+webhooks']) - median(databaseCosts.app),
  };
}

/**
 * Where delivering costs the app, per PATCH: each layer's and package's self time per request,
 * alone and delivering, and the difference, largest first.
 */
function profileDifference(
  profiles: { variant: EventsVariant; file: string; summary: ProfileSummary; requests: number }[],
): string {
  const [alone, delivering] = profiles;
  const perRequest = (shares: Share[], requests: number) =>
    new Map(shares.map((share) => [share.name, (share.ms * 1000) / requests]));
  const rows = (pick: (summary: ProfileSummary) => Share[], top: number) => {
    const before = perRequest(pick(alone.summary), alone.requests);
    const after = perRequest(pick(delivering.summary), delivering.requests);
    return [...new Set([...before.keys(), ...after.keys()])]
      .map((name) => ({ name, before: before.get(name) ?? 0, after: after.get(name) ?? 0 }))
      .sort((a, b) => Math.abs(b.after - b.before) - Math.abs(a.after - a.before))
      .slice(0, top)
      .map(({ name, before: b, after: a }) => [
        name,
        b.toFixed(0),
        a.toFixed(0),
        (a - b).toFixed(0),
      ]);
  };
  const header = ['', 'alone µs/PATCH', 'delivering µs/PATCH', 'difference'];
  const busy = (run: (typeof profiles)[number]) => (run.summary.busyMs * 1000) / run.requests;
  return (
    `\nWhere delivering costs the app (V8 sampling profiler, self time of the measured seconds ` +
    `per PATCH answered; profiles ${alone.file} and ${delivering.file})\n\n` +
    table(
      header,
      [
        ...rows((summary) => summary.layers, 20),
        [
          'total busy',
          busy(alone).toFixed(0),
          busy(delivering).toFixed(0),
          (busy(delivering) - busy(alone)).toFixed(0),
        ],
      ],
      1,
    ) +
    '\n\nBy package, the 25 that differ most:\n\n' +
    table(
      header,
      rows((summary) => summary.packages, 25),
      1,
    ) +
    '\n\nBy function, the 25 that differ most:\n\n' +
    table(
      header,
      rows((summary) => summary.functions, 25),
      1,
    )
  );
}

export async function eventsBench<D extends { url: string; layout: { organizations: number } }>(
  options: BenchOptions,
  deps: EventsBenchDeps<D>,
) {
  const database = await deps.prepareDatabase();
  const receiver = new LagReceiver();
  const receiverUrl = await receiver.start();
  const runs: {
    variant: EventsVariant;
    round: number;
    run: MeasuredRun;
    delivered: number;
    lags: number[];
    receiverCpuMs: number;
  }[] = [];
  let drain!: Awaited<ReturnType<typeof drainCost>>;
  /** The endpoints a variant runs with (none, or one per organization), and the app's settings. */
  const prepareVariant = async (variant: EventsVariant): Promise<Record<string, string>> => {
    const webhooks = variant === 'app+webhooks';
    await prepareEndpoints(
      database.url,
      database.layout.organizations,
      webhooks ? receiverUrl : null,
    );
    if (variant === 'app+bare-post') {
      return { NODE_OPTIONS: `--require ${BARE_POST_PRELOAD}`, BENCH_BARE_POST_URL: receiverUrl };
    }
    return webhooks ? { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' } : {};
  };
  /** One measured run of `variant` (at a fixed `rate`, or saturated), with its deliveries. */
  const measureVariant = async (variant: EventsVariant, round: number, rate?: number) => {
    const appEnv = await prepareVariant(variant);
    receiver.arrivals = [];
    const ownCpu = new OwnCpuSampler();
    const run = await deps
      .measure(database, appEnv, round, undefined, rate)
      .finally(() => ownCpu.stop());
    const inWindow = receiver.arrivals.filter(
      (arrival) => arrival.atUs >= run.windowUs.startUs && arrival.atUs <= run.windowUs.endUs,
    );
    return {
      run,
      delivered: inWindow.length,
      lags: inWindow.map((arrival) => arrival.lagMs).sort((a, b) => a - b),
      receiverCpuMs: ownCpu.msBetween(run.windowUs) / run.requests,
    };
  };
  let lag!: Awaited<ReturnType<typeof lagBench>>;
  try {
    for (let round = 1; round <= options.rounds; round++) {
      const order = round % 2 === 1 ? VARIANTS : [...VARIANTS].reverse();
      for (const variant of order) {
        const delivers = variant !== 'app';
        const { run, delivered, lags, receiverCpuMs } = await measureVariant(variant, round);
        runs.push({ variant, round, run, delivered, lags, receiverCpuMs });
        deps.log(
          `round ${round} ${variant.padEnd(12)} ${run.requestsPerSecond.toFixed(0)} req/s, ` +
            `p50 ${run.p50} ms, p99 ${run.p99} ms, app CPU ${run.cpuMsPerRequest?.toFixed(2)} ms/req, ` +
            `DB CPU ${run.databaseCpuMsPerRequest?.toFixed(2)} ms/req, ` +
            `bench process (receiver) CPU ${receiverCpuMs.toFixed(2)} ms/req` +
            (delivers
              ? `; ${delivered} deliveries in the window for ${run.requests} PATCHes, ` +
                `lag p50 ${percentile(lags, 0.5)} ms, p99 ${percentile(lags, 0.99)} ms`
              : ''),
        );
      }
    }
    const halfRate = Math.round(
      median(runs.filter((run) => run.variant === 'app').map((run) => run.run.requestsPerSecond)) /
        2,
    );
    lag = await lagBench(options, database.url, halfRate, {
      run: async (variant, round, rate) => {
        const { run, delivered, lags } = await measureVariant(variant, round, rate);
        const { requestsPerSecond, requests } = run;
        return { requestsPerSecond, requests, delivered, lags };
      },
      startHolder: async (round) =>
        deps.startApp(database, await prepareVariant('app+webhooks'), `relay-holder-r${round}`),
      log: deps.log,
    });
    drain = await drainCost(options, deps, database, receiver, receiverUrl);
    if (options.cpuProf && deps.profile) {
      const profiles = [];
      for (const variant of RELAY_VARIANTS) {
        const appEnv = await prepareVariant(variant);
        profiles.push({ variant, ...(await deps.profile(database, appEnv, variant)) });
      }
      console.log(profileDifference(profiles));
    }
  } finally {
    await receiver.close();
  }
  const of = (variant: EventsVariant) => runs.filter((run) => run.variant === variant);
  const requestsPerSecond = (variant: EventsVariant) =>
    median(of(variant).map((run) => run.run.requestsPerSecond));
  /** Each round's run of `variant` over its run of the app alone. */
  const perRound = (variant: EventsVariant) =>
    of(variant).map((run) => {
      const base = of('app').find((other) => other.round === run.round) as (typeof runs)[number];
      return run.run.requestsPerSecond / base.run.requestsPerSecond;
    });
  // CPU per request is steadier than req/s on a shared machine: a saturated app serves about
  // 1 / (CPU per request), so its ratio predicts the throughput ratio on a quiet one.
  const cpu = (variant: EventsVariant) =>
    median(of(variant).map((run) => run.run.cpuMsPerRequest ?? NaN));
  const lagsOf = (variant: EventsVariant) =>
    of(variant)
      .flatMap((run) => run.lags)
      .sort((a, b) => a - b);
  const receiverCpu = (variant: EventsVariant) =>
    median(of(variant).map((run) => run.receiverCpuMs));
  const alone = requestsPerSecond('app');
  const delivering = requestsPerSecond('app+webhooks');
  const barePost = requestsPerSecond('app+bare-post');
  const lags = lagsOf('app+webhooks');
  const delivered = of('app+webhooks').reduce((sum, run) => sum + run.delivered, 0);
  const requests = of('app+webhooks').reduce((sum, run) => sum + run.run.requests, 0);
  // The relay's own cost: delivering through it over the bare POST's floor, per round.
  const overFloorPerRound = of('app+webhooks').map((run) => {
    const floor = of('app+bare-post').find((other) => other.round === run.round);
    return floor === undefined ? NaN : run.run.requestsPerSecond / floor.run.requestsPerSecond;
  });
  const summary = {
    appRequestsPerSecond: alone,
    webhooksOverBarePostPerRound: overFloorPerRound,
    webhooksOverBarePostPairedMedian: median(overFloorPerRound),
    webhooksCpuOverBarePost: cpu('app+webhooks') / cpu('app+bare-post'),
    lag,
    webhooksRequestsPerSecond: delivering,
    throughputRatio: delivering / alone,
    throughputRatioPerRound: perRound('app+webhooks'),
    // Each round's runs are minutes closer than the medians' runs: steadier on a drifting machine.
    throughputRatioPairedMedian: median(perRound('app+webhooks')),
    appCpuMsPerRequest: cpu('app'),
    webhooksCpuMsPerRequest: cpu('app+webhooks'),
    cpuRatio: cpu('app') / cpu('app+webhooks'),
    barePostRequestsPerSecond: barePost,
    barePostThroughputRatio: barePost / alone,
    barePostThroughputRatioPerRound: perRound('app+bare-post'),
    barePostThroughputRatioPairedMedian: median(perRound('app+bare-post')),
    barePostCpuMsPerRequest: cpu('app+bare-post'),
    barePostReceiverCpuMsPerRequest: receiverCpu('app+bare-post'),
    receiverCpuMsPerRequest: receiverCpu('app+webhooks'),
    benchProcessCpuMsPerRequestAlone: receiverCpu('app'),
    relayLagP50Ms: percentile(lags, 0.5),
    relayLagP99Ms: percentile(lags, 0.99),
    deliveredInWindow: delivered,
    patchesInWindow: requests,
    ...drain,
    // The ratio the drain's cost predicts for a saturated app: a PATCH, then its delivery.
    predictedRatio: (cpu('app') * 1000) / (cpu('app') * 1000 + drain.deliveryUsPerEvent),
  };
  const ratios = (variant: EventsVariant, ofMedians: number, pairedMedian: number) =>
    `${ofMedians.toFixed(3)} of the medians; per round ${perRound(variant)
      .map((ratio) => ratio.toFixed(3))
      .join(', ')}, median ${pairedMedian.toFixed(3)}`;
  const bareLags = lagsOf('app+bare-post');
  console.log(
    `\nEvents, profile scenario, ${options.connections} connections, ${options.duration} s per run, ` +
      `medians of ${options.rounds} rounds (one endpoint per organization, receiver on loopback)\n` +
      `  app alone:        ${alone.toFixed(0)} req/s\n` +
      `  app + webhooks:   ${delivering.toFixed(0)} req/s\n` +
      `  ratio:            ${ratios('app+webhooks', summary.throughputRatio, summary.throughputRatioPairedMedian)}; the floor's below\n` +
      `  app CPU/request:  ${cpu('app').toFixed(3)} ms alone, ${cpu('app+webhooks').toFixed(3)} ms ` +
      `delivering: alone / delivering = ${summary.cpuRatio.toFixed(3)}\n` +
      `  receiver CPU:     ${receiverCpu('app+webhooks').toFixed(3)} ms per PATCH (the bench process, ` +
      `${receiverCpu('app').toFixed(3)} ms when nothing is delivered), on the same 2 cores\n` +
      `  relay lag:        p50 ${summary.relayLagP50Ms} ms, p99 ${summary.relayLagP99Ms} ms ` +
      `(change to arrival, ${delivered} deliveries for ${requests} PATCHes in the measured windows)\n` +
      `  drain, no load:   ${drain.relayUsPerEvent.toFixed(0)} µs of app CPU per event relayed alone, ` +
      `${drain.deliveringUsPerEvent.toFixed(0)} µs delivered: ${drain.deliveryUsPerEvent.toFixed(0)} µs per ` +
      `delivery, which predicts a ratio of ${summary.predictedRatio.toFixed(3)} beside ` +
      `${cpu('app').toFixed(3)} ms per PATCH; the database server's CPU per delivery ` +
      `${drain.databaseUsPerDelivery.toFixed(0)} µs\n` +
      `  bare POST:        ${barePost.toFixed(0)} req/s with one signed POST per PATCH and no relay ` +
      `work (the floor of any delivery here): ${ratios('app+bare-post', summary.barePostThroughputRatio, summary.barePostThroughputRatioPairedMedian)}; ` +
      `app CPU ${cpu('app+bare-post').toFixed(3)} ms/PATCH, receiver ${summary.barePostReceiverCpuMsPerRequest.toFixed(3)} ms, ` +
      `lag p50 ${percentile(bareLags, 0.5)} ms, p99 ${percentile(bareLags, 0.99)} ms\n` +
      `  relay over floor: app+webhooks / app+bare-post per round ` +
      `${overFloorPerRound.map((ratio) => ratio.toFixed(3)).join(', ')}, median ` +
      `${summary.webhooksOverBarePostPairedMedian.toFixed(3)} (the budget: at least 0.95); ` +
      `CPU per PATCH delivering / bare POST ${summary.webhooksCpuOverBarePost.toFixed(3)} ` +
      `(the budget: at most 1.05)`,
  );
  return { summary, runs };
}
