import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth';
import { CataloguesService } from './catalogues.service';
import { ProfessionListEnvelope } from './dto/profession.response';

@ApiTags('catalogues')
@Controller('users-organizations/v1/rs/professions')
export class ProfessionsController {
  constructor(private readonly catalogues: CataloguesService) {}

  @Get()
  @Authenticated()
  @ApiOperation({
    summary: 'List professions',
    description: 'Every profession label (a global catalogue), ordered by label.',
  })
  @ApiOkResponse({ type: ProfessionListEnvelope, description: 'Every profession.' })
  async list(): Promise<ProfessionListEnvelope> {
    return { data: await this.catalogues.listProfessions() };
  }
}
