import { createHash } from 'node:crypto';
import { ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  normalizeIp,
  ThrottlerGuard,
  type ThrottlerModuleOptions,
  type ThrottlerRequest,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { AppConfig } from '../../config';
import { AppException } from '../errors/app.exception';
import { clientAddress } from '../http/client-address';
import { ErrorCode } from '../errors/error-code';
import { isAuthenticationFailure, LOCKED_OUT } from '../errors/problem-details.filter';
import { MetricsService, RateLimitRefusal } from '../metrics/metrics.service';
import { RateLimitStore } from './rate-limit.store';

/** Every limit counts requests per minute. */
export const RATE_LIMIT_WINDOW_MS = 60_000;
export const ADDRESS_THROTTLER = 'address';
export const USER_THROTTLER = 'user';
export const RateLimitHeader = {
  Limit: 'RateLimit-Limit',
  Remaining: 'RateLimit-Remaining',
  Reset: 'RateLimit-Reset',
  RetryAfter: 'Retry-After',
} as const;

const NO_RATE_LIMIT = 'users-organizations:no-rate-limit';
const MAX_REMEMBERED_SUBJECTS = 10_000;

/** Exempts a route or controller from every limit: health probes must never be refused. */
export const NoRateLimit = () => SetMetadata(NO_RATE_LIMIT, true);

function rateLimited(detail: string, limit: number, retryAfterSeconds: number): AppException {
  const retryAfter = String(Math.max(1, retryAfterSeconds));
  return new AppException(ErrorCode.RATE_LIMITED, detail, {
    headers: {
      [RateLimitHeader.RetryAfter]: retryAfter,
      [RateLimitHeader.Limit]: String(limit),
      [RateLimitHeader.Remaining]: '0',
      [RateLimitHeader.Reset]: retryAfter,
    },
  });
}

/**
 * A request can pass two limits (its address, then its user): the headers report the one with
 * the fewest requests left.
 */
function setRateLimitHeaders(response: Response, limit: number, remaining: number, reset: number) {
  const current = response.getHeader(RateLimitHeader.Remaining);
  if (current !== undefined && Number(current) <= remaining) return;
  response.setHeader(RateLimitHeader.Limit, String(limit));
  response.setHeader(RateLimitHeader.Remaining, String(remaining));
  response.setHeader(RateLimitHeader.Reset, String(Math.max(0, reset)));
}

/**
 * @nestjs/throttler's guard, narrowed to one of the configured throttlers, counting per tracker
 * across all routes (not per route), and answering with our problem+json and the standard
 * `RateLimit-*` headers.
 */
abstract class SingleThrottlerGuard extends ThrottlerGuard {
  protected abstract readonly throttlerName: RateLimitRefusal;
  protected abstract readonly refusal: string;

  constructor(
    options: ThrottlerModuleOptions,
    storage: ThrottlerStorage,
    reflector: Reflector,
    protected readonly config: AppConfig,
    protected readonly metrics: MetricsService,
  ) {
    super(options, storage, reflector);
  }

  override async onModuleInit(): Promise<void> {
    await super.onModuleInit();
    // A limit of 0 means no limit.
    this.throttlers = this.throttlers.filter(
      (throttler) =>
        throttler.name === this.throttlerName &&
        (typeof throttler.limit !== 'number' || throttler.limit > 0),
    );
  }

  /** Whether @NoRateLimit exempts a route, by controller and handler: read once, not per request. */
  private readonly exemptions = new WeakMap<object, WeakMap<object, boolean>>();

  /**
   * The library's canActivate reads five route overrides (@Throttle, @SkipThrottle) per request
   * and resolves each limit through promises: a tenth of the PATCH's allocations went to it.
   * This app sets limits by configuration only (and exempts routes with @NoRateLimit), so the
   * one throttler's numbers are taken as they are; a throttler configured with functions still
   * goes the library's way.
   */
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.exempt(context)) return true;
    await this.beforeCounting(context);
    const [throttler] = this.throttlers;
    if (throttler === undefined) return true;
    const { limit, ttl, blockDuration } = throttler;
    if (
      typeof limit !== 'number' ||
      typeof ttl !== 'number' ||
      typeof blockDuration === 'function'
    ) {
      return super.canActivate(context);
    }
    return this.handleRequest({
      context,
      limit,
      ttl,
      blockDuration: blockDuration ?? ttl,
      throttler,
      getTracker: this.commonOptions.getTracker as ThrottlerRequest['getTracker'],
      generateKey: this.commonOptions.generateKey as ThrottlerRequest['generateKey'],
    });
  }

  /** What a guard checks before it counts the request (the address guard: failed sign-ins). */
  protected beforeCounting(_context: ExecutionContext): Promise<void> | void {}

  protected override shouldSkip(context: ExecutionContext): Promise<boolean> {
    return Promise.resolve(this.exempt(context));
  }

  private exempt(context: ExecutionContext): boolean {
    const controller = context.getClass();
    const handler = context.getHandler();
    let handlers = this.exemptions.get(controller);
    if (handlers === undefined) {
      handlers = new WeakMap();
      this.exemptions.set(controller, handlers);
    }
    let exempt = handlers.get(handler);
    if (exempt === undefined) {
      exempt =
        this.reflector.getAllAndOverride<boolean | undefined>(NO_RATE_LIMIT, [
          handler,
          controller,
        ]) === true;
      handlers.set(handler, exempt);
    }
    return exempt;
  }

  protected override generateKey(_context: ExecutionContext, tracker: string, name: string) {
    return `${this.config.rateLimit.keyPrefix}${name}:${tracker}`;
  }

  protected override async handleRequest(request: ThrottlerRequest): Promise<boolean> {
    const { context, limit, ttl, throttler, blockDuration, getTracker, generateKey } = request;
    const http = context.switchToHttp();
    const name = throttler.name ?? this.throttlerName;
    const tracker = await getTracker(http.getRequest<Request>(), context);
    const record = await this.storageService.increment(
      generateKey(context, tracker, name),
      ttl,
      limit,
      blockDuration,
      name,
    );
    if (record.isBlocked) {
      this.metrics.rateLimitRefused(this.throttlerName);
      throw rateLimited(this.refusal, limit, record.timeToBlockExpire);
    }
    setRateLimitHeaders(
      http.getResponse<Response>(),
      limit,
      Math.max(0, limit - record.totalHits),
      record.timeToExpire,
    );
    return true;
  }
}

/**
 * Global guard, so it runs before any route's own guards: limits each client address, and
 * refuses an address that has collected too many 401s in the last minute (a token-guessing or
 * misconfigured client) before its requests reach the token checks and the database. The
 * address is the socket's unless TRUST_PROXY names the proxies allowed to set X-Forwarded-For.
 */
@Injectable()
export class AddressRateLimitGuard extends SingleThrottlerGuard {
  protected readonly throttlerName = ADDRESS_THROTTLER;
  protected readonly refusal = 'Too many requests from this address; retry after Retry-After.';
  private readonly trackers = new WeakMap<Request, string>();

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    config: AppConfig,
    metrics: MetricsService,
    private readonly store: RateLimitStore,
  ) {
    super(options, storage, reflector, config, metrics);
  }

  protected override beforeCounting(context: ExecutionContext): Promise<void> {
    return this.refuseAfterAuthenticationFailures(context);
  }

  protected override getTracker(request: Request): Promise<string> {
    return Promise.resolve(this.trackerOf(request));
  }

  /** The normalized client address, worked out once per request (both checks key on it). */
  private trackerOf(request: Request): string {
    let tracker = this.trackers.get(request);
    if (tracker === undefined) {
      tracker = normalizeIp(clientAddress(request));
      this.trackers.set(request, tracker);
    }
    return tracker;
  }

  private async refuseAfterAuthenticationFailures(context: ExecutionContext): Promise<void> {
    const limit = this.config.rateLimit.authFailuresPerMinute;
    if (limit === 0) return;
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const key = `${this.config.rateLimit.keyPrefix}auth-failures:${this.trackerOf(request)}`;
    const failures = await this.store.read(key);
    if (failures.count >= limit) {
      // Not refused yet: a request whose credentials verify is served whatever others behind the
      // same address got wrong (a hospital's shared address, DESIGN 8b); one that fails to
      // authenticate is answered 429 instead of 401, so the guesser is still slowed.
      response.locals[LOCKED_OUT] = rateLimited(
        'Too many failed authentications from this address; retry after Retry-After.',
        limit,
        failures.resetSeconds,
      );
    }
    // Counted once the answer is known; the store never rejects.
    response.once('finish', () => {
      if (response.statusCode === 429 && response.locals[LOCKED_OUT] !== undefined) {
        this.metrics.rateLimitRefused('auth_failures');
      }
      if (isAuthenticationFailure(response)) void this.store.hit(key, RATE_LIMIT_WINDOW_MS);
    });
  }
}

/**
 * Limits each user. It runs in the @Authenticated() chain right after BearerAuthGuard, so the
 * key is the `sub` of a verified token (never a claim read from an unverified one), and before
 * the session and membership are read from the database.
 */
@Injectable()
export class UserRateLimitGuard extends SingleThrottlerGuard {
  protected readonly throttlerName = USER_THROTTLER;
  protected readonly refusal = 'Too many requests for this user; retry after Retry-After.';
  /** Each subject's key (a hash: the subject itself never reaches Redis), by subject. */
  private readonly trackers = new Map<string, string>();

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    config: AppConfig,
    metrics: MetricsService,
  ) {
    super(options, storage, reflector, config, metrics);
  }

  protected override getTracker(
    request: Request & { user?: { issuer?: unknown; subject?: unknown } },
  ) {
    const { issuer, subject } = request.user ?? {};
    if (typeof subject !== 'string' || typeof issuer !== 'string') {
      throw new Error('UserRateLimitGuard must run after BearerAuthGuard');
    }
    // A subject is unique within its issuer; a service client's is its client id.
    const identity = `${issuer}\n${subject}`;
    let tracker = this.trackers.get(identity);
    if (tracker === undefined) {
      // Identities come from verified tokens only; the map is emptied rather than left to grow.
      if (this.trackers.size >= MAX_REMEMBERED_SUBJECTS) this.trackers.clear();
      tracker = createHash('sha256').update(identity).digest('base64url');
      this.trackers.set(identity, tracker);
    }
    return Promise.resolve(tracker);
  }
}
