import { isIP } from 'node:net';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config';
import type { WebhooksConfig } from '../config';
import { literalAddress, refusedAddressRange, urlShapeProblem } from './address-policy';
import { HostResolver, ResolvedAddress } from './host-resolver';

/** A webhook URL the app will not call, with the reason (safe to show its administrator). */
export class TargetRefusedError extends Error {
  override name = 'TargetRefusedError';
}

/**
 * The SSRF rules of DESIGN 11, applied when an endpoint is registered and again before every
 * delivery, after DNS: a name that resolved to a public address yesterday can resolve to
 * 127.0.0.1 today. The delivery then connects to the very addresses checked here (the sender
 * hands them to the socket instead of resolving again), so no lookup happens in between.
 */
@Injectable()
export class WebhookTargets {
  private readonly settings: WebhooksConfig;

  constructor(
    config: AppConfig,
    private readonly resolver: HostResolver,
  ) {
    this.settings = config.events.webhooks;
  }

  /** The URL, parsed, when an endpoint may be registered with it. */
  async checkUrl(raw: string): Promise<URL> {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new TargetRefusedError('must be an absolute URL');
    }
    const problem = urlShapeProblem(url, this.settings.requireHttps);
    if (problem !== null) throw new TargetRefusedError(problem);
    await this.addresses(url);
    return url;
  }

  /** Every address the URL's host has, each of them allowed; else TargetRefusedError. */
  async addresses(url: URL): Promise<ResolvedAddress[]> {
    const literal = literalAddress(url);
    let addresses: ResolvedAddress[];
    if (literal !== null) {
      addresses = [{ address: literal, family: isIP(literal) === 6 ? 6 : 4 }];
    } else {
      try {
        addresses = await this.resolver.resolve(url.hostname);
      } catch {
        throw new TargetRefusedError(`${url.hostname} does not resolve`);
      }
      if (addresses.length === 0) throw new TargetRefusedError(`${url.hostname} does not resolve`);
    }
    if (this.settings.allowPrivateNetworks) return addresses;
    for (const { address } of addresses) {
      const range = refusedAddressRange(address);
      if (range !== null) {
        // The rule, never the address a name resolved to: the answer must not map the network.
        throw new TargetRefusedError(
          (literal === null
            ? `${url.hostname} does not resolve to public addresses only`
            : `${url.hostname} is a ${range} address`) +
            ': webhooks only go to public addresses (WEBHOOK_ALLOW_PRIVATE_NETWORKS=true lifts this rule on closed networks)',
        );
      }
    }
    return addresses;
  }
}
