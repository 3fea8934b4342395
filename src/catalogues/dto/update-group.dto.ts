import { ApiProperty } from '@nestjs/swagger';
import { GROUP_NAME_PROPERTY } from './create-group.dto';
import { IsGroupName } from './group-name.validator';

/** Renames a group; the name is the only thing a group has to change. */
export class UpdateGroupDto {
  @ApiProperty({ ...GROUP_NAME_PROPERTY, example: 'Night team (east wing)' })
  @IsGroupName()
  name!: string;
}
