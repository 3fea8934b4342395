import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageQuery } from '../../common/pagination/page.query';
import { InvitationStatus } from '../invitation';

export class ListInvitationsQuery extends PageQuery {
  @ApiPropertyOptional({
    enum: InvitationStatus,
    description: 'Only invitations in this state (`pending`, `accepted`, `revoked`, `expired`).',
  })
  @IsOptional()
  @IsIn(Object.values(InvitationStatus), {
    message: `must be one of ${Object.values(InvitationStatus).join(', ')}`,
  })
  status?: InvitationStatus;
}
