import { Module } from '@nestjs/common';
import { MembershipsRepository } from './memberships.repository';
import { UsersRepository } from './users.repository';
import { UsersOrganizationsController } from './users-organizations.controller';
import { UsersOrganizationsService } from './users-organizations.service';

@Module({
  controllers: [UsersOrganizationsController],
  providers: [MembershipsRepository, UsersRepository, UsersOrganizationsService],
  exports: [UsersOrganizationsService],
})
export class UsersOrganizationsModule {}
