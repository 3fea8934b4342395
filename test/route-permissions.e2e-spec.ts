import { GUARDS_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod, Type } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { AUTH_REQUIREMENTS, AuthRequirements } from '../src/auth/auth-requirements';
import { SERVICE_RIGHT } from '../src/auth/guards/service-auth.guard';
import { startTestApp, TestApp } from './support/test-app';

/** Where @nestjs/swagger's @ApiSecurity() keeps its entries (its constants are not exported). */
const API_SECURITY = 'swagger/apiSecurity';

/**
 * Every route with its guards, its administrator flag and its OpenAPI security, in one reviewed
 * snapshot (test/__snapshots__/route-permissions.e2e-spec.ts.snap), as twenty does: a permission
 * change is a visible diff in review, never a silent one. Routes of every module are listed,
 * public ones too. CI runs Jest with --ci, so a route missing from the snapshot fails there.
 */
describe('route permissions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('sqlite', { demo: false });
  });
  afterAll(() => t.close());

  it('match the reviewed snapshot', () => {
    const routes: string[] = [];
    for (const module of t.app.get(ModulesContainer).values()) {
      for (const wrapper of module.controllers.values()) {
        const controller = wrapper.metatype as Type<object> | null;
        if (controller === null || wrapper.instance === undefined) continue;
        const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
        const prototype = controller.prototype as Record<string, unknown>;
        for (const name of Object.getOwnPropertyNames(prototype)) {
          const handler = prototype[name];
          if (name === 'constructor' || typeof handler !== 'function') continue;
          const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
          if (method === undefined) continue;
          const path = String(Reflect.getMetadata(PATH_METADATA, handler) ?? '');
          const guards = [
            ...((Reflect.getMetadata(GUARDS_METADATA, controller) ?? []) as Type[]),
            ...((Reflect.getMetadata(GUARDS_METADATA, handler) ?? []) as Type[]),
          ].map((guard) => guard.name);
          const requirements = Reflect.getMetadata(AUTH_REQUIREMENTS, handler) as
            AuthRequirements | undefined;
          const security = (Reflect.getMetadata(API_SECURITY, handler) ?? []) as Record<
            string,
            unknown
          >[];
          const right = Reflect.getMetadata(SERVICE_RIGHT, handler) as string | undefined;
          routes.push(
            [
              `${RequestMethod[method]} /${[base, path].filter((part) => part && part !== '/').join('/')}`,
              `guards: ${guards.join(' > ') || 'none'}`,
              `session: ${requirements ? String(requirements.session) : '-'}`,
              `administrator: ${requirements ? String(requirements.administrator) : '-'}`,
              ...(right === undefined ? [] : [`right: ${right}`]),
              `security: ${security.map((entry) => Object.keys(entry).join('+')).join(' | ') || 'none'}`,
            ].join('  '),
          );
        }
      }
    }
    routes.sort();
    expect(routes.length).toBeGreaterThan(20);
    expect(routes.join('\n')).toMatchSnapshot();
  });
});
