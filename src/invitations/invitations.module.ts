import { Module } from '@nestjs/common';
import { UsersOrganizationsModule } from '../users-organizations/users-organizations.module';
import { AcceptInvitationUseCase } from './accept-invitation.use-case';
import { InvitationsController } from './invitations.controller';
import { InvitationsRepository } from './invitations.repository';
import { InvitationsService } from './invitations.service';
import { MyInvitationsController } from './my-invitations.controller';

/** The way into an organization (DESIGN 8b): administrators invite, the invitee accepts. */
@Module({
  imports: [UsersOrganizationsModule],
  controllers: [InvitationsController, MyInvitationsController],
  providers: [InvitationsRepository, InvitationsService, AcceptInvitationUseCase],
})
export class InvitationsModule {}
