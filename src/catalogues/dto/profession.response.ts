import { ApiProperty } from '@nestjs/swagger';

export class ProfessionView {
  @ApiProperty({ type: 'integer', example: 1 })
  id!: number;

  @ApiProperty({ example: 'Nurse' })
  label!: string;
}

export class ProfessionListEnvelope {
  @ApiProperty({
    type: () => ProfessionView,
    isArray: true,
    description: 'Every profession, ordered by label.',
    example: [
      { id: 3, label: 'Caregiver' },
      { id: 4, label: 'Coordinator' },
      { id: 1, label: 'Nurse' },
      { id: 2, label: 'Physician' },
    ],
  })
  data!: ProfessionView[];
}
