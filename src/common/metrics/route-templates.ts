import type { Request } from 'express';

/** The route label of a request that no route matched (404): never its raw path. */
export const UNMATCHED_ROUTE = 'unmatched';

export interface RouteLayer {
  route?: { path?: unknown; methods?: Record<string, boolean> };
}

interface CompiledRoute {
  methods: Record<string, boolean>;
  pattern: RegExp;
  template: string;
}

/**
 * Express 5 path syntax as Nest writes it: `:name` is one segment, `*name` the rest, braces an
 * optional part (Nest's not-found route is `/{*path}`).
 */
function compile(template: string): RegExp {
  const source = template
    .split(/(:\w+|\*\w+|[{}])/)
    .map((part) => {
      if (part.startsWith(':')) return '[^/]+';
      if (part.startsWith('*')) return '.+';
      if (part === '{') return '(?:';
      if (part === '}') return ')?';
      return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${source}/?$`);
}

/**
 * A controller method's route answers one method. Nest also registers module middleware as a
 * route for every method (`/{*path}`, which nestjs-pino uses): that one is not where a request
 * was answered, and a request that only went through it found no route (404).
 */
function isHandler(methods: Record<string, boolean> | undefined): boolean {
  return methods !== undefined && Object.keys(methods).length === 1;
}

/**
 * The route template of a request (`/users-organizations/v1/rs/users/:userId`), the only path
 * a metric may carry: ids would make one time series per user. Express knows it once the router
 * matched the request; a request answered before that (a body the JSON parser refused with 400,
 * 413 or 415) is matched here against the routes' own templates.
 */
export class RouteTemplates {
  private compiled: CompiledRoute[] | undefined;

  /**
   * `staticPrefixes`: folders that static middleware serves without a route (the Swagger UI's
   * assets), labelled `<prefix>/*asset` when answered; a file missing there is a 404 as any.
   */
  constructor(
    private readonly routerStack: () => RouteLayer[],
    private readonly staticPrefixes: readonly string[] = [],
  ) {}

  of(request: Request, statusCode: number): string {
    const { route } = request as { route?: RouteLayer['route'] };
    if (typeof route?.path === 'string' && isHandler(route.methods)) {
      return request.baseUrl + route.path;
    }
    // Express serves HEAD with the GET route.
    const method = request.method === 'HEAD' ? 'get' : request.method.toLowerCase();
    const path = request.path;
    for (const candidate of this.routes()) {
      if (candidate.methods[method] && candidate.pattern.test(path)) return candidate.template;
    }
    if (statusCode !== 404) {
      // Static middleware is mounted on its folder: while it answers, the path is relative.
      const full = request.baseUrl + path;
      const prefix = this.staticPrefixes.find((folder) => full.startsWith(`${folder}/`));
      if (prefix !== undefined) return `${prefix}/*asset`;
    }
    return UNMATCHED_ROUTE;
  }

  /** Read once routes exist: requests are served only after Nest registered them all. */
  private routes(): CompiledRoute[] {
    this.compiled ??= this.routerStack().flatMap(({ route }) =>
      typeof route?.path === 'string' && isHandler(route.methods)
        ? [{ methods: route.methods ?? {}, pattern: compile(route.path), template: route.path }]
        : [],
    );
    return this.compiled;
  }
}
