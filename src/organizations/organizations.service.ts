import { Injectable } from '@nestjs/common';
import type { BearerContext } from '../auth/auth-context';
import type { MyOrganizationView } from './dto/my-organization.response';
import { OrganizationsRepository } from './organizations.repository';

@Injectable()
export class OrganizationsService {
  constructor(private readonly organizations: OrganizationsRepository) {}

  /** Where the caller may open a session: the same rule POST /sessions applies. */
  async listMine(caller: BearerContext): Promise<MyOrganizationView[]> {
    const organizations = await this.organizations.findActiveForUser(caller.user.id);
    return organizations.map(({ organizationId, name, scope }) => ({
      organizationId,
      name,
      scope,
    }));
  }
}
