import { ApiProperty } from '@nestjs/swagger';

export class GroupView {
  @ApiProperty({ type: 'integer', example: 1 })
  id!: number;

  @ApiProperty({ example: 'Day team' })
  name!: string;
}

export class GroupEnvelope {
  @ApiProperty({ type: () => GroupView })
  data!: GroupView;
}

export class GroupListEnvelope {
  @ApiProperty({
    type: () => GroupView,
    isArray: true,
    example: [
      { id: 1, name: 'Day team' },
      { id: 2, name: 'Night team' },
    ],
  })
  data!: GroupView[];
}
