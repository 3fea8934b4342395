import { Global, Module } from '@nestjs/common';
import { AuditController } from './audit.controller';
import { AuditRepository } from './audit.repository';
import { ChangeRecorder } from './change-recorder';

/** Global: every module that changes memberships or sessions writes its audit events. */
@Global()
@Module({
  controllers: [AuditController],
  providers: [AuditRepository, ChangeRecorder],
  exports: [AuditRepository, ChangeRecorder],
})
export class AuditModule {}
