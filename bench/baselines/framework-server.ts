/**
 * The framework floor: the same-work statements (same-work-patch.ts) behind the stack DESIGN.md
 * section 2 prescribes, and nothing else: NestJS on @nestjs/platform-express, the access token
 * through @nestjs/passport + passport-jwt, the body through class-validator + class-transformer
 * (Nest's ValidationPipe), Express's JSON body parser and serializer. No logging, rate limits,
 * security headers or problem+json: what any app on this stack pays before its own features.
 * For `--scenarios check`, the decision point's evaluation the same way: a service token through
 * passport-jwt, the body through class-validator, the app's facts statement (check-statement.ts).
 * `node framework-server.js`; configuration comes from the same variables as the app's.
 */
import 'reflect-metadata';
import {
  ArgumentsHost,
  Body,
  CanActivate,
  Catch,
  Controller,
  ExceptionFilter,
  ExecutionContext,
  Get,
  Inject,
  Injectable,
  Module,
  Param,
  HttpCode,
  Patch,
  Post,
  Res,
  UseGuards,
  ValidationPipe,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AuthGuard, PassportModule, PassportStrategy } from '@nestjs/passport';
import { Type } from 'class-transformer';
import {
  Equals,
  IsIn,
  IsInt,
  IsNumberString,
  IsOptional,
  IsString,
  Length,
  ValidateNested,
} from 'class-validator';
import type { Request, Response } from 'express';
import type { Pool } from 'mysql2/promise';
import { ExtractJwt, Strategy } from 'passport-jwt';
import {
  Changes,
  HttpError,
  Keys,
  TokenClaims,
  bearerSubject,
  keysFromEnvironment,
  membershipETag,
  membershipView,
  parseUserId,
  verifySession,
} from './common';
import { evaluateMember, parsePositiveId } from './check-statement';
import { createBaselinePool } from './pool';
import { sameWorkPatch } from './same-work-patch';

const POOL = Symbol('POOL');
const KEYS = Symbol('KEYS');

type FloorRequest = Request & { user: { subject: string }; claims?: TokenClaims };

@Injectable()
class BearerStrategy extends PassportStrategy(Strategy, 'bearer') {
  constructor(@Inject(KEYS) keys: Keys) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // A pre-built KeyObject, as the app passes it (passport-jwt's types only know strings).
      secretOrKeyProvider: (_request, _token, done) => done(null, keys.bearer as unknown as Buffer),
      algorithms: ['HS256'],
    });
  }

  validate(payload: Record<string, unknown>): { subject: string } {
    return { subject: bearerSubject(payload) };
  }
}

/** A client-credentials token of the svc plane: its issuer and audience pinned, one right. */
@Injectable()
class ServiceStrategy extends PassportStrategy(Strategy, 'service') {
  constructor(@Inject(KEYS) keys: Keys) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKeyProvider: (_request, _token, done) => done(null, keys.bearer as unknown as Buffer),
      algorithms: ['HS256'],
      issuer: process.env.AUTH_JWT_ISSUER,
      audience: process.env.AUTH_SERVICE_AUDIENCE,
    });
  }

  validate(payload: Record<string, unknown>): { client: string } {
    const { client_id: client, scope } = payload;
    if (typeof client !== 'string' || typeof scope !== 'string')
      throw new HttpError(401, 'TOKEN_INVALID');
    if (!scope.split(' ').includes('authz:check')) throw new HttpError(403, 'INSUFFICIENT_SCOPE');
    return { client };
  }
}

@Injectable()
class SessionTokenGuard implements CanActivate {
  constructor(@Inject(KEYS) private readonly keys: Keys) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FloorRequest>();
    const session = verifySession(request.headers['x-session-token'], this.keys);
    request.claims = { subject: request.user.subject, ...session };
    return true;
  }
}

class ChangesBody implements Changes {
  @IsOptional()
  @IsString()
  @Length(1, 250)
  firstName?: string;

  @IsOptional()
  @IsString()
  @Length(1, 250)
  lastName?: string;

  @IsOptional()
  @IsInt()
  @IsIn([1, 2])
  scope?: 1 | 2;
}

class SubjectBody {
  @Equals('user_id')
  type!: 'user_id';

  @IsNumberString({ no_symbols: true })
  @Length(1, 15)
  id!: string;
}

class OrganizationProperties {
  @IsInt()
  organizationId!: number;
}

class ResourceBody {
  @Equals('member')
  type!: 'member';

  @IsNumberString({ no_symbols: true })
  @Length(1, 15)
  id!: string;

  @ValidateNested()
  @Type(() => OrganizationProperties)
  properties!: OrganizationProperties;
}

class ActionBody {
  @IsIn(['read', 'update_profile'])
  name!: string;
}

class EvaluationBody {
  @ValidateNested()
  @Type(() => SubjectBody)
  subject!: SubjectBody;

  @ValidateNested()
  @Type(() => ResourceBody)
  resource!: ResourceBody;

  @ValidateNested()
  @Type(() => ActionBody)
  action!: ActionBody;
}

@Controller()
class FloorController {
  constructor(@Inject(POOL) private readonly pool: Pool) {}

  @Get('health/ready')
  async ready() {
    await this.pool.query('SELECT 1');
    return { status: 'ok' };
  }

  @Patch('users-organizations/v1/rs/users/:userId')
  @UseGuards(AuthGuard('bearer'), SessionTokenGuard)
  async update(
    @Param('userId') userId: string,
    @Body() body: ChangesBody,
    @Res({ passthrough: true }) response: Response,
  ) {
    const claims = (response.req as FloorRequest).claims as TokenClaims;
    const row = await sameWorkPatch(this.pool, claims, parseUserId(userId, claims.userId), body);
    response.setHeader('Cache-Control', 'no-store');
    response.setHeader('ETag', membershipETag(row));
    return { data: membershipView(row) };
  }

  @Post('users-organizations/v1/svc/access/v1/evaluation')
  @HttpCode(200)
  @UseGuards(AuthGuard('service'))
  evaluate(@Body() body: EvaluationBody) {
    return evaluateMember(
      this.pool,
      body.resource.properties.organizationId,
      parsePositiveId(body.subject.id),
      parsePositiveId(body.resource.id),
    );
  }
}

@Catch(HttpError)
class HttpErrorFilter implements ExceptionFilter {
  catch(error: HttpError, host: ArgumentsHost): void {
    const { status, code } = error;
    host.switchToHttp().getResponse<Response>().status(status).json({ status, code });
  }
}

@Module({
  imports: [PassportModule],
  controllers: [FloorController],
  providers: [
    BearerStrategy,
    ServiceStrategy,
    SessionTokenGuard,
    { provide: POOL, useFactory: createBaselinePool },
    { provide: KEYS, useFactory: keysFromEnvironment },
  ],
})
class FloorModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create(FloorModule, { logger: ['error'] });
  app.useGlobalPipes(
    new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
  );
  app.useGlobalFilters(new HttpErrorFilter());
  const pool = app.get<Pool>(POOL);
  app.getHttpAdapter().getInstance().disable('x-powered-by');
  await app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
  const stop = () => {
    void app.close().then(() => pool.end().finally(() => process.exit(0)));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

void main();
