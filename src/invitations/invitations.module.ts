import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { InvitationEntity } from './entities/invitation.entity';
import { OrganizationsModule } from '../organizations';
import { UsersOrganizationsModule } from '../users-organizations';
import { AcceptInvitationUseCase } from './accept-invitation.use-case';
import { InvitationsController } from './invitations.controller';
import { InvitationsRepository } from './invitations.repository';
import { InvitationsService } from './invitations.service';
import { MyInvitationsController } from './my-invitations.controller';
import { InviterRightsModule } from './pending-invitations.revoker';
import { ServiceInvitations, ServiceInvitationsController } from './service-invitations.controller';

/** The way into an organization (DESIGN 8b): administrators invite, the invitee accepts. */
@Module({
  imports: [
    UsersOrganizationsModule,
    OrganizationsModule,
    InviterRightsModule,
    TypeOrmModule.forFeature([InvitationEntity]),
  ],
  controllers: [InvitationsController, MyInvitationsController, ServiceInvitationsController],
  providers: [
    InvitationsRepository,
    InvitationsService,
    AcceptInvitationUseCase,
    ServiceInvitations,
  ],
})
export class InvitationsModule {}
