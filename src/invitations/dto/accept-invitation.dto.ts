import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';

export class AcceptInvitationDto {
  @ApiProperty({
    example: '4fW0l3n0M0dBq3yYk2bH1cM6sQ9yJx8vTnK5pR2aZcE',
    maxLength: 100,
    description: 'The token from the invitation (sent by the mailer; shown once at creation).',
  })
  @IsString({ message: 'must be the invitation token' })
  @MaxLength(100, { message: 'must be the invitation token' })
  token!: string;
}
