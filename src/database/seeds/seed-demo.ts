import { DataSource } from 'typeorm';
import { MembershipEntity } from '../../users-organizations/entities/membership.entity';
import { OrganizationGroupEntity } from '../../users-organizations/entities/organization-group.entity';
import { OrganizationEntity } from '../../users-organizations/entities/organization.entity';
import { ProfessionEntity } from '../../users-organizations/entities/profession.entity';
import { UserEntity } from '../../users-organizations/entities/user.entity';
import {
  DEMO_GROUPS,
  DEMO_MEMBERSHIPS,
  DEMO_ORGANIZATIONS,
  DEMO_PROFESSIONS,
  DEMO_USERS,
} from './demo-data';

/** Loads the demo data into a database that holds no organization; returns false otherwise. */
export async function seedDemoData(dataSource: DataSource): Promise<boolean> {
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
      DEMO_ORGANIZATIONS.map((organization) => ({ ...organization, ...stamps, deletedAt: null })),
    );
    // Copies: TypeORM writes generated values back into the objects it inserts.
    await manager.insert(
      OrganizationGroupEntity,
      DEMO_GROUPS.map((group) => ({ ...group })),
    );
    await manager.insert(
      UserEntity,
      DEMO_USERS.map((user) => ({ ...user, ...stamps, deletedAt: null })),
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
    return true;
  });
}
