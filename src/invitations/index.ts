/** Invitations (DESIGN 8b): the way into an organization. */
export * from './entities/invitation.entity';
export * from './invitation';
export * from './invitation-events';
export * from './invitation-token';
export * from './invitations.module';
export { CreateInvitationDto } from './dto/create-invitation.dto';
export { ServiceInvitations } from './service-invitations.controller';
export { toInvitationView, InvitationView } from './dto/invitation.response';
export {
  COLUMNS as INVITATION_COLUMNS,
  toInvitation,
  type InvitationRow,
} from './invitation.table';
