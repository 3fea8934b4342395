import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { bearerToken } from './tokens';

export const RS = '/users-organizations/v1/rs';
export const ERASE = '/users-organizations/v1/svc/users/erase';

/** Every table of the schema: what "nothing left of the person" is checked against. */
export const TABLES = [
  'users',
  'memberships',
  'sessions',
  'invitations',
  'audit_events',
  'organizations',
  'organization_groups',
  'professions',
  'webhook_endpoints',
  'webhook_deliveries',
  'webhook_delivery_attempts',
  'event_broker_queue',
  'event_relay_leases',
];

/** Every row of every table as one text, to search for a person's values. */
export async function everything(dataSource: DataSource): Promise<string> {
  const parts: string[] = [];
  for (const table of TABLES) {
    parts.push(JSON.stringify(await dataSource.query(`SELECT * FROM \`${table}\``)));
  }
  return parts.join('\n');
}

/** A bearer signed in `secondsAgo` (RFC 9470's auth_time), with more claims if given. */
export function signedIn(subject: string, secondsAgo = 0, claims: Record<string, unknown> = {}) {
  const authTime = Math.floor(Date.now() / 1000) - secondsAgo;
  return {
    Authorization: `Bearer ${bearerToken(subject, { claims: { auth_time: authTime, ...claims } })}`,
  };
}

/** A name no other test writes, so that finding it anywhere means it was left behind. */
export const uniqueName = (prefix: string) => `${prefix}${randomBytes(5).toString('hex')}`;
