import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CataloguesModule } from '../catalogues';
import { MembershipEntity } from './entities/membership.entity';
import { MyOrganizationsController } from './my-organizations.controller';
import { MyOrganizationsRepository } from './my-organizations.repository';
import { MembershipReferences } from './membership-references';
import { MembershipsRepository } from './memberships.repository';
import { MembershipAccess } from './membership-access';
import { MembershipsController } from './memberships.controller';
import { MEMBERSHIP_USE_CASES } from './usecases';

/**
 * The members API (the PATCH among its routes) and the memberships table. Its resolver of
 * sessions (MemberSessionResolver) is bound into AuthModule by the composition root.
 */
@Module({
  imports: [CataloguesModule, TypeOrmModule.forFeature([MembershipEntity])],
  controllers: [MembershipsController, MyOrganizationsController],
  providers: [
    MembershipsRepository,
    MembershipReferences,
    MyOrganizationsRepository,
    MembershipAccess,
    ...MEMBERSHIP_USE_CASES,
  ],
  exports: [MembershipsRepository, MembershipReferences],
})
export class UsersOrganizationsModule {}
