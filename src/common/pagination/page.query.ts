import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { QueryInteger } from '../validation/query';

const LIMIT_MESSAGE = 'must be an integer from 1 to 100';
/** The page size when a list is asked for without `limit`. */
export const PAGE_DEFAULT = 20;

/** `cursor` and `limit`, shared by every keyset-paginated list; extend it with the filters. */
export class PageQuery {
  @ApiPropertyOptional({ description: 'nextCursor of the previous page.' })
  @IsOptional()
  @IsString()
  cursor?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: PAGE_DEFAULT })
  @IsOptional()
  @QueryInteger()
  @IsInt({ message: LIMIT_MESSAGE })
  @Min(1, { message: LIMIT_MESSAGE })
  @Max(100, { message: LIMIT_MESSAGE })
  limit?: number;
}
