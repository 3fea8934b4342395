import { Injectable } from '@nestjs/common';
import { ErrorCode } from '../../common/errors/error-code';
import { paginate } from '../../common/pagination/cursor';
import { PAGE_DEFAULT } from '../../common/pagination/page.query';
import type { ListMembershipsQuery } from '../dto/list-memberships.query';
import { MembershipPage, toMembershipView } from '../dto/membership.response';
import type { MemberContext } from '../member-context';
import { MembershipAccess } from '../membership-access';
import { canListDeleted, isAdministrator, visibleGroups } from '../membership.policy';
import { MembershipsRepository } from '../memberships.repository';

/** GET /users: a page of the members the caller may see. */
@Injectable()
export class ListMembershipsUseCase {
  constructor(
    private readonly access: MembershipAccess,
    private readonly memberships: MembershipsRepository,
  ) {}

  execute(auth: MemberContext, query: ListMembershipsQuery): Promise<MembershipPage> {
    if (query.includeDeleted && !canListDeleted(auth.membership)) {
      throw this.access.denied(auth, null, ErrorCode.ADMIN_REQUIRED);
    }
    const administrator = isAdministrator(auth.membership);
    return paginate(
      query,
      PAGE_DEFAULT,
      ({ cursorId, limit }) =>
        this.memberships.list(auth.session.organizationId, {
          includeDeleted: query.includeDeleted ?? false,
          scope: query.scope,
          group: query.group,
          professionId: query.professionId,
          namePrefix: query.q,
          visibleTo: administrator
            ? undefined
            : { userId: auth.user.id, groups: visibleGroups(auth.membership) },
          afterId: cursorId,
          limit,
        }),
      toMembershipView,
    );
  }
}
