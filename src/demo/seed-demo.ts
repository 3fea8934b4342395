import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config';
import { emailKey } from '../common/validation/email-key';
import { InvitationEntity, newInvitationSecret } from '../invitations';
import { MembershipEntity } from '../users-organizations';
import { OrganizationGroupEntity, ProfessionEntity } from '../catalogues';
import { OrganizationEntity } from '../organizations';
import { UserEntity } from '../users';
import {
  DEMO_GROUPS,
  DEMO_INVITATIONS,
  DEMO_MEMBERSHIPS,
  DEMO_ORGANIZATIONS,
  DEMO_PROFESSIONS,
  DEMO_USERS,
} from './demo-data';

/** The tables the demo data goes into, for a DataSource made outside the app (the CLI). */
export const DEMO_ENTITIES = [
  ProfessionEntity,
  OrganizationEntity,
  OrganizationGroupEntity,
  UserEntity,
  MembershipEntity,
  InvitationEntity,
];

/**
 * The database hook of the composition root: the embedded database (DATABASE_URL unset, never
 * in production) gets the demo data when it is empty.
 */
export function loadDemoDataIntoEmbedded(config: AppConfig) {
  return async (dataSource: DataSource): Promise<void> => {
    if (
      config.embedded &&
      config.env !== 'production' &&
      (await seedDemoData(dataSource, config.auth.defaultIssuer))
    ) {
      new Logger('DemoData').log('Loaded the demo data into the empty embedded database.');
    }
  };
}

/**
 * Loads the demo data into a database that holds no organization; returns false otherwise. The
 * users are the default issuer's (`issuer`), as the token CLI's tokens are.
 */
export async function seedDemoData(dataSource: DataSource, issuer: string): Promise<boolean> {
  return dataSource.transaction(async (manager) => {
    if ((await manager.count(OrganizationEntity)) > 0) return false;
    const now = new Date();
    const stamps = { createdAt: now, updatedAt: now };
    await manager.insert(
      ProfessionEntity,
      DEMO_PROFESSIONS.map((profession) => ({ ...profession, ...stamps })),
    );
    await manager.insert(
      OrganizationEntity,
      DEMO_ORGANIZATIONS.map((organization) => ({ ...organization, ...stamps, archivedAt: null })),
    );
    // Copies: TypeORM writes generated values back into the objects it inserts.
    await manager.insert(
      OrganizationGroupEntity,
      DEMO_GROUPS.map((group) => ({ ...group })),
    );
    await manager.insert(
      UserEntity,
      DEMO_USERS.map((user) => ({
        ...user,
        issuer,
        emailKey: emailKey(user.email),
        ...stamps,
        deletedAt: null,
      })),
    );
    await manager.insert(
      MembershipEntity,
      DEMO_MEMBERSHIPS.map(({ deleted, ...membership }) => ({
        ...membership,
        ...stamps,
        version: 1,
        deletedAt: deleted ? now : null,
      })),
    );
    // Nobody holds these tokens: Frank accepts by id, signed in with his verified email.
    await manager.insert(
      InvitationEntity,
      DEMO_INVITATIONS.map(({ expiresInDays, ...invitation }) => {
        const key = emailKey(invitation.email) as string;
        return {
          ...invitation,
          emailKey: key,
          pendingEmailKey: key,
          tokenHash: newInvitationSecret().hash,
          expiresAt: new Date(now.getTime() + expiresInDays * 24 * 3600 * 1000),
          acceptedAt: null,
          acceptedByUserId: null,
          revokedAt: null,
          ...stamps,
        };
      }),
    );
    return true;
  });
}
