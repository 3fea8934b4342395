import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type AuthContext, Authenticated, CurrentAuth } from '../auth';
import { paginate } from '../common/pagination/cursor';
import { ApiProblems } from '../common/swagger/api-problems.decorator';
import { AuditRepository } from '../audit';
import {
  AUDIT_PAGE_DEFAULT,
  AuditEventPage,
  ListAuditEventsQuery,
  toAuditEventView,
} from './dto/audit-events.dto';

@ApiTags('audit')
@Controller('users-organizations/v1/rs/audit-events')
export class AuditEventsController {
  constructor(private readonly audit: AuditRepository) {}

  @Get()
  @Authenticated({ administrator: true })
  @ApiOperation({
    summary: 'List audit events',
    description: "The session organization's membership and session changes, newest first.",
  })
  @ApiOkResponse({ type: AuditEventPage, description: 'A page of events, newest first.' })
  @ApiProblems(400)
  async list(
    @CurrentAuth() auth: AuthContext,
    @Query() query: ListAuditEventsQuery,
  ): Promise<AuditEventPage> {
    return paginate(
      query,
      AUDIT_PAGE_DEFAULT,
      ({ cursorId, limit }) =>
        this.audit.list(auth.session.organizationId, {
          targetUserId: query.targetUserId,
          action: query.action,
          beforeId: cursorId,
          limit,
        }),
      toAuditEventView,
    );
  }
}
