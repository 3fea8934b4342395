import { ApiProperty } from '@nestjs/swagger';
import { Scope } from '../entities/membership.entity';

/** One organization the caller can open a session in. */
export class MyOrganizationView {
  @ApiProperty({ type: 'integer', example: 1, description: 'Send it to POST /sessions.' })
  organizationId!: number;

  @ApiProperty({ example: 'Demo Care Paris' })
  name!: string;

  @ApiProperty({
    type: 'integer',
    enum: [Scope.Administrator, Scope.Member],
    example: Scope.Administrator,
    description: "The caller's scope there: 1 = administrator, 2 = member.",
  })
  scope!: Scope;
}

export class MyOrganizationListEnvelope {
  @ApiProperty({
    type: () => MyOrganizationView,
    isArray: true,
    description: "The caller's active memberships in organizations not deleted, by id.",
    example: [
      { organizationId: 1, name: 'Demo Care Paris', scope: 1 },
      { organizationId: 2, name: 'Demo Care Lyon', scope: 2 },
    ],
  })
  data!: MyOrganizationView[];
}
