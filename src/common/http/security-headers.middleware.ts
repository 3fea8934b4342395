import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';

/**
 * Security headers (helmet). API answers are JSON that nothing should render, frame or load:
 * their content security policy allows nothing. The Swagger UI is a page and keeps helmet's
 * default policy (its scripts, styles and images are served from here; its inline <style> is
 * allowed by the default style-src), without `upgrade-insecure-requests`, which would break
 * the page on a plain-HTTP development host other than localhost.
 */
export function securityHeadersMiddleware(swaggerUiPath: string): RequestHandler {
  const api = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
    frameguard: { action: 'deny' },
  });
  const docs = helmet({
    contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
  });
  const page = `/${swaggerUiPath.replace(/^\/+|\/+$/g, '')}`;
  return (request: Request, response: Response, next: NextFunction) => {
    const path = request.path;
    const isDocsPage = path === page || path.startsWith(`${page}/`);
    return (isDocsPage ? docs : api)(request, response, next);
  };
}
