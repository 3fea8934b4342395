import type { Response } from 'supertest';
import type { TestApp } from './test-app';
import { bearerToken } from './tokens';

export const INVITATIONS = '/users-organizations/v1/rs/invitations';
export const MY_INVITATIONS = '/users-organizations/v1/rs/me/invitations';

type Headers = Record<string, string>;

/** An access token whose identity provider vouches for `email` (`email_verified: true`). */
export function verifiedBearer(subject: string, email: string, verified = true): Headers {
  const token = bearerToken(subject, { claims: { email, email_verified: verified } });
  return { Authorization: `Bearer ${token}` };
}

export interface InvitationBody {
  email: string;
  scope?: number;
  firstName?: string;
  lastName?: string;
  professionId?: number | null;
  permissions?: { group: number | null; read: number[]; manage: number[] };
  expiresInSeconds?: number;
}

/** POST /invitations as the given administrator; scope and names default. */
export function invite(t: TestApp, asAdmin: Headers, body: InvitationBody) {
  return t
    .http()
    .post(INVITATIONS)
    .set(asAdmin)
    .send({ scope: 2, firstName: 'Invited', lastName: 'Person', ...body });
}

export function acceptByToken(t: TestApp, bearer: Headers, token: string) {
  return t.http().post(`${INVITATIONS}/accept`).set(bearer).send({ token });
}

export function acceptById(t: TestApp, bearer: Headers, invitationId: number) {
  return t
    .http()
    .post(`${MY_INVITATIONS}/${invitationId}/accept`)
    .set(bearer)
    .set('content-type', 'application/json');
}

export const issued = (response: Response) =>
  response.body.data as { id: number; token: string; acceptUrl: string | null; status: string };

/**
 * A newcomer joins through the front door: the administrator invites its email, and it accepts
 * with the token, signed in with that verified email. Returns the accept response and the
 * newcomer's bearer.
 */
export async function inviteAndAccept(
  t: TestApp,
  asAdmin: Headers,
  subject: string,
  body: Omit<InvitationBody, 'email'> & { email?: string } = {},
) {
  const email = body.email ?? `${subject}@invited.example`;
  const invitation = await invite(t, asAdmin, { ...body, email }).expect(201);
  const bearer = verifiedBearer(subject, email);
  const accepted = await acceptByToken(t, bearer, issued(invitation).token);
  return { invitation: issued(invitation), accepted, bearer };
}
