import type { Request } from 'express';
import { RouteLayer, RouteTemplates, UNMATCHED_ROUTE } from './route-templates';

const stack: RouteLayer[] = [
  { route: { path: '/users-organizations/v1/rs/users/:userId', methods: { patch: true } } },
  { route: { path: '/users-organizations/v1/rs/users/:userId/restore', methods: { post: true } } },
  { route: { path: '/health/live', methods: { get: true } } },
  {},
];

function request(method: string, path: string, route?: string): Request {
  const methods = route === '/{*path}' ? { get: true, delete: true } : { get: true };
  return {
    method,
    path,
    baseUrl: '',
    ...(route ? { route: { path: route, methods } } : {}),
  } as Request;
}

describe('RouteTemplates', () => {
  const routes = new RouteTemplates(() => stack);

  it('takes the template Express matched', () => {
    expect(routes.of(request('GET', '/a/1', '/a/:id'), 200)).toBe('/a/:id');
  });

  it('matches a request answered before routing against the templates, method included', () => {
    expect(routes.of(request('PATCH', '/users-organizations/v1/rs/users/123'), 200)).toBe(
      '/users-organizations/v1/rs/users/:userId',
    );
    expect(routes.of(request('POST', '/users-organizations/v1/rs/users/me/restore'), 200)).toBe(
      '/users-organizations/v1/rs/users/:userId/restore',
    );
    expect(routes.of(request('PUT', '/users-organizations/v1/rs/users/123'), 405)).toBe(
      UNMATCHED_ROUTE,
    );
    expect(routes.of(request('PATCH', '/users-organizations/v1/rs/users/1/2'), 404)).toBe(
      UNMATCHED_ROUTE,
    );
  });

  it('labels what a static folder served by the folder, and a file missing there as unmatched', () => {
    const withAssets = new RouteTemplates(() => stack, ['/users-organizations/docs']);
    expect(withAssets.of(request('GET', '/users-organizations/docs/swagger-ui.css'), 200)).toBe(
      '/users-organizations/docs/*asset',
    );
    expect(withAssets.of(request('GET', '/users-organizations/docs/swagger-ui.css'), 304)).toBe(
      '/users-organizations/docs/*asset',
    );
    expect(withAssets.of(request('GET', '/users-organizations/docs/nope.js'), 404)).toBe(
      UNMATCHED_ROUTE,
    );
    expect(withAssets.of(request('GET', '/users-organizations/docsx/a.css'), 200)).toBe(
      UNMATCHED_ROUTE,
    );
  });

  it('never takes a middleware route for every method (nor a raw path) as the template', () => {
    const everyMethod = { get: true, post: true, patch: true, delete: true };
    const withMiddleware = new RouteTemplates(() => [
      { route: { path: '/{*path}', methods: everyMethod } },
      ...stack,
    ]);
    expect(withMiddleware.of(request('DELETE', '/anything/12345', '/{*path}'), 404)).toBe(
      UNMATCHED_ROUTE,
    );
    expect(withMiddleware.of(request('HEAD', '/health/live'), 200)).toBe('/health/live');
    expect(withMiddleware.of(request('PATCH', '/users-organizations/v1/rs/users/7'), 200)).toBe(
      '/users-organizations/v1/rs/users/:userId',
    );
  });
});
