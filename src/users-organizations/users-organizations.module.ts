import { Module } from '@nestjs/common';
import { CataloguesModule } from '../catalogues/catalogues.module';
import { MembershipReferences } from './membership-references';
import { MembershipsRepository } from './memberships.repository';
import { UsersOrganizationsController } from './users-organizations.controller';
import { UsersOrganizationsService } from './users-organizations.service';

@Module({
  imports: [CataloguesModule],
  controllers: [UsersOrganizationsController],
  providers: [MembershipsRepository, MembershipReferences, UsersOrganizationsService],
  exports: [MembershipsRepository, MembershipReferences, UsersOrganizationsService],
})
export class UsersOrganizationsModule {}
