import type { NestExpressApplication } from '@nestjs/platform-express';

/** The part of Express's router (the `router` package) this reads. */
interface RouterLayer {
  route?: { path: unknown; methods: Record<string, boolean | undefined> };
  match(path: string): unknown;
}

/** Says which methods a path is served with: none when no route matches it at all. */
export type AllowedMethods = (path: string) => string[];

/**
 * Reads the methods from Express's own routing table at the time of the request, so routes of
 * every module count and nothing is listed twice. A wildcard route is where Nest mounts module
 * middleware for every method, not an endpoint: it is left out.
 */
export function allowedMethodsOf(app: NestExpressApplication): AllowedMethods {
  return (path) => {
    // Through unknown: @types/express describes layers without the match() the router has.
    const express = app.getHttpAdapter().getInstance() as unknown as {
      router?: { stack?: RouterLayer[] };
    };
    const methods = new Set<string>();
    for (const layer of express.router?.stack ?? []) {
      const route = layer.route;
      if (route === undefined || String(route.path).includes('*') || !layer.match(path)) continue;
      for (const [method, served] of Object.entries(route.methods)) {
        if (served && method !== '_all') methods.add(method.toUpperCase());
      }
    }
    // Express answers HEAD with the GET handler.
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  };
}
