import type { Response } from 'supertest';
import { DEVELOPMENT_SERVICE_AUDIENCE } from '../../src/config';
import { bearerToken } from './tokens';

export const SVC = '/users-organizations/v1/svc';
export const SVC_ORGANIZATIONS = `${SVC}/organizations`;

/** Clients of the service plane with the rights of DESIGN 13, for SERVICE_CLIENTS. */
export const SERVICE_CLIENTS = {
  operator: {
    rights: ['organizations:read', 'organizations:write', 'invitations:write'],
    organizations: '*',
  },
  reader: { rights: ['organizations:read'], organizations: '*' },
  lyon: {
    rights: ['organizations:read', 'organizations:write', 'invitations:write'],
    organizations: [2],
  },
};

/** A client-credentials token: `sub` is its client id, for the service audience. */
export function serviceToken(
  clientId: string,
  scope: string,
  options: { audience?: string; claims?: Record<string, unknown> } = {},
): string {
  return bearerToken(clientId, {
    audience: options.audience ?? DEVELOPMENT_SERVICE_AUDIENCE,
    claims: { client_id: clientId, scope, ...options.claims },
  });
}

export const asService = (clientId: string, scope: string) => ({
  Authorization: `Bearer ${serviceToken(clientId, scope)}`,
});

/** The operator's client with every organization right. */
export const OPERATOR = asService(
  'operator',
  'organizations:read organizations:write invitations:write',
);

export function expectProblem(response: Response, status: number, code: string): void {
  expect({ status: response.status, code: (response.body as { code?: string }).code }).toEqual({
    status,
    code,
  });
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
}
