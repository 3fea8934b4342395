/**
 * What each scenario sends, as an autocannon request whose setupRequest draws a fresh caller,
 * target and body for every request. Used by the load driver and by trace.ts's statement trace.
 */
import type { AutocannonRequest } from 'autocannon';
import {
  ADMIN_EVERY,
  CHECK_PATH,
  Caller,
  Layout,
  PATCH_PATH,
  Scenario,
  hotRowUserId,
  membersIn,
  userIdOf,
} from './layout';

const randomName = (prefix: string) => prefix + Math.random().toString(36).slice(2, 10);
const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)];

/**
 * Each caller comes from its own address, as clients behind a load balancer do (the app trusts
 * X-Forwarded-For from loopback, see options.ts): per-address rate limiting then counts per
 * client, not all the load under one key.
 */
function headers(caller: Caller): Record<string, string> {
  const id = caller.userId;
  return {
    authorization: `Bearer ${caller.bearerToken}`,
    'x-session-token': caller.sessionToken,
    'content-type': 'application/json',
    'x-forwarded-for': `10.${(id >> 16) & 255}.${(id >> 8) & 255}.${id & 255}`,
  };
}

/** The scope scenario's memory: the scope each target was last set to, and who is in flight. */
const promoted = new Map<number, number>();
const inFlight = new Set<number>();

/** Forgets who was promoted (measure.ts put every seeded member back to scope 2). */
export function resetScopeState(): void {
  promoted.clear();
  inFlight.clear();
}

/** Requests cut off by the end of a run never answer: nothing stays in flight. */
export function clearInFlight(): void {
  inFlight.clear();
}

export function requestFor(
  scenario: Scenario,
  layout: Layout,
  callers: Caller[],
): AutocannonRequest {
  const byOrganization = new Map<number, Caller[]>();
  for (const caller of callers) {
    const list = byOrganization.get(caller.organizationId) ?? [];
    list.push(caller);
    byOrganization.set(caller.organizationId, list);
  }

  switch (scenario) {
    case 'check':
      // A gateway asks the get scenario's question: may this caller (an administrator with a
      // session, as there) read, or change the profile of, a random member of its organization?
      // The same rows are touched as by the GET, so the two compare what each costs.
      return {
        method: 'POST',
        path: CHECK_PATH,
        setupRequest: (request) => {
          const caller = pick(callers);
          const k = Math.floor(Math.random() * membersIn(layout, caller.organizationId));
          request.headers = {
            authorization: `Bearer ${caller.serviceToken}`,
            'content-type': 'application/json',
          };
          request.body = JSON.stringify({
            subject: { type: 'user_id', id: String(caller.userId) },
            resource: {
              type: 'member',
              id: String(userIdOf(layout, caller.organizationId, k)),
              properties: { organizationId: caller.organizationId },
            },
            action: { name: Math.random() < 0.5 ? 'read' : 'update_profile' },
          });
          return request;
        },
      };
    case 'get':
      // The same question asked the rs way: an administrator GETs a random member.
      return {
        method: 'GET',
        setupRequest: (request) => {
          const caller = pick(callers);
          const k = Math.floor(Math.random() * membersIn(layout, caller.organizationId));
          request.path = PATCH_PATH + String(userIdOf(layout, caller.organizationId, k));
          request.headers = headers(caller);
          return request;
        },
      };
    case 'profile':
      // A random administrator edits the profile of a random member of its organization.
      return {
        method: 'PATCH',
        setupRequest: (request) => {
          const caller = pick(callers);
          const k = Math.floor(Math.random() * membersIn(layout, caller.organizationId));
          request.path = PATCH_PATH + String(userIdOf(layout, caller.organizationId, k));
          request.headers = headers(caller);
          request.body = JSON.stringify({
            firstName: randomName('F'),
            lastName: randomName('L'),
          });
          return request;
        },
      };
    case 'hot-row': {
      // Every request edits the same row, from the administrators of its organization.
      const target = hotRowUserId(layout);
      const hotCallers = byOrganization.get(1) ?? [];
      return {
        method: 'PATCH',
        path: PATCH_PATH + String(target),
        setupRequest: (request) => {
          request.headers = headers(pick(hotCallers));
          request.body = JSON.stringify({ firstName: randomName('F'), lastName: randomName('L') });
          return request;
        },
      };
    }
    case 'scope':
      // An administrator flips a seeded non-administrator between 2 and 1. Seeded administrators
      // are never targets, so every organization keeps its administrators and every answer is
      // 200; a target is never in two requests at once, so every request is a real change.
      return {
        method: 'PATCH',
        setupRequest: (request, context) => {
          const caller = pick(callers);
          const members = membersIn(layout, caller.organizationId);
          let target = 0;
          for (let attempt = 0; attempt < 50 && target === 0; attempt++) {
            const k = Math.floor(Math.random() * members);
            const userId = userIdOf(layout, caller.organizationId, k);
            if (k % ADMIN_EVERY !== 0 && !inFlight.has(userId)) target = userId;
          }
          if (target === 0) target = userIdOf(layout, caller.organizationId, 1);
          const previous = promoted.get(target) ?? 2;
          const scope = previous === 1 ? 2 : 1;
          inFlight.add(target);
          promoted.set(target, scope);
          context.target = target;
          context.previous = previous;
          request.path = PATCH_PATH + String(target);
          request.headers = headers(caller);
          request.body = JSON.stringify({ scope });
          return request;
        },
        onResponse: (status, _body, context) => {
          const target = context.target as number;
          inFlight.delete(target);
          if (status !== 200) promoted.set(target, context.previous as number);
        },
      };
  }
}
