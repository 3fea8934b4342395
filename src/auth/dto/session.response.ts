import { ApiProperty } from '@nestjs/swagger';

export class SessionView {
  @ApiProperty({
    description: 'Send it as the x-session-token header with the access token.',
    example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VySWQiOjEsInNlc3Npb25JZCI6Ii4uLiJ9.sig',
  })
  sessionToken!: string;

  @ApiProperty({ type: 'integer', example: 1 })
  organizationId!: number;

  @ApiProperty({ type: 'string', format: 'date-time', example: '2026-11-28T09:30:00.000Z' })
  expiresAt!: string;
}

export class SessionEnvelope {
  @ApiProperty({ type: () => SessionView })
  data!: SessionView;
}
