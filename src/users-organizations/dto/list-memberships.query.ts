import { PageQuery } from '../../common/pagination/page.query';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString } from 'class-validator';
import { QueryBoolean, QueryInteger } from '../../common/validation/query';
import { IsCodePointLength, IsSafeInteger } from '../../common/validation/validators';
import { Scope } from '../entities/membership.entity';

export class ListMembershipsQuery extends PageQuery {
  @ApiPropertyOptional({ type: 'integer', enum: [1, 2], example: 2 })
  @IsOptional()
  @QueryInteger()
  @IsIn([Scope.Administrator, Scope.Member], { message: 'must be 1 or 2' })
  scope?: Scope;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    example: 1,
    description: 'Members of this group.',
  })
  @IsOptional()
  @QueryInteger()
  @IsSafeInteger({ message: 'must be a group id' })
  group?: number;

  @ApiPropertyOptional({ type: 'integer', example: 1 })
  @IsOptional()
  @QueryInteger()
  @IsSafeInteger({ message: 'must be a profession id' })
  professionId?: number;

  @ApiPropertyOptional({
    example: 'mar',
    maxLength: 250,
    description: 'Case-insensitive prefix of the first or last name.',
  })
  @IsOptional()
  @IsString()
  @IsCodePointLength(1, 250)
  q?: string;

  @ApiPropertyOptional({ type: 'boolean', default: false, description: 'Administrators only.' })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean({ message: 'must be true or false' })
  includeDeleted?: boolean;
}
