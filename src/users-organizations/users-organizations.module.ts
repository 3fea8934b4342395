import { Module } from '@nestjs/common';
import { MembershipsRepository } from './memberships.repository';
import { UsersOrganizationsController } from './users-organizations.controller';
import { UsersOrganizationsService } from './users-organizations.service';

@Module({
  controllers: [UsersOrganizationsController],
  providers: [MembershipsRepository, UsersOrganizationsService],
  exports: [UsersOrganizationsService],
})
export class UsersOrganizationsModule {}
