import diagnosticsChannel from 'node:diagnostics_channel';
import { Controller, Get, Injectable, Module, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { DataSource } from 'typeorm';
import type { MemberContext } from '../../src/users-organizations/member-context';
import { Authenticated } from '../../src/auth/decorators/authenticated.decorator';
import { SQL_STATEMENT_CHANNEL, SqlStatementMessage } from '../../src/database/database.service';
import { CurrentAuth } from '../../src/auth/decorators/current-auth.decorator';
import { InvitationChangedEvent, InvitationEvents } from '../../src/invitations/invitation-events';
import { MembershipEntity } from '../../src/users-organizations/entities/membership.entity';
import {
  MembershipChangedEvent,
  MembershipEvents,
} from '../../src/users-organizations/membership-events';

export const EXTENSION_ROUTE = '/users-organizations/v1/rs/extension';

/**
 * Counts the database transactions as the app runs them (from the statements DatabaseService
 * publishes once answered), so a listener can tell whether a transaction was still open when it
 * was called.
 */
@Injectable()
export class TransactionWatcher implements OnModuleInit, OnModuleDestroy {
  open = 0;
  commits = 0;

  private readonly watch = (message: unknown) => {
    const { sql, error, origin } = message as SqlStatementMessage;
    // The event relay's transactions are its own, not the requests'.
    if (error !== undefined || origin !== undefined) return;
    if (sql === 'START TRANSACTION' || sql === 'BEGIN TRANSACTION') this.open++;
    if (sql === 'COMMIT') this.commits++;
    if (sql === 'COMMIT' || sql === 'ROLLBACK') this.open--;
  };

  onModuleInit(): void {
    diagnosticsChannel.subscribe(SQL_STATEMENT_CHANNEL.name, this.watch);
  }

  onModuleDestroy(): void {
    diagnosticsChannel.unsubscribe(SQL_STATEMENT_CHANNEL.name, this.watch);
  }
}

/** What the listener saw: the event, and the database's state at that moment. */
export interface ReceivedEvent {
  event: MembershipChangedEvent;
  /** Transactions still open when the listener was called (0 once the change committed). */
  openTransactions: number;
  /** Transactions committed so far, when the listener was called. */
  commits: number;
  /** Read through the DataSource inside the listener, outside the change's transaction. */
  stored: Promise<MembershipEntity | null>;
}

/** Another team's listener: records every membership event it receives, in order. */
@Injectable()
export class MembershipEventRecorder {
  readonly received: ReceivedEvent[] = [];

  constructor(
    private readonly dataSource: DataSource,
    private readonly transactions: TransactionWatcher,
  ) {}

  @OnEvent(MembershipEvents.Created)
  onCreated(event: MembershipChangedEvent): void {
    this.record(event);
  }

  @OnEvent(MembershipEvents.Updated)
  onUpdated(event: MembershipChangedEvent): void {
    this.record(event);
  }

  @OnEvent(MembershipEvents.Deleted)
  onDeleted(event: MembershipChangedEvent): void {
    this.record(event);
  }

  @OnEvent(MembershipEvents.Restored)
  onRestored(event: MembershipChangedEvent): void {
    this.record(event);
  }

  /** Forgets what was received (between tests). */
  clear(): void {
    this.received.length = 0;
  }

  private record(event: MembershipChangedEvent): void {
    const { open, commits } = this.transactions;
    const stored = this.dataSource
      .getRepository(MembershipEntity)
      .findOneBy({ userId: event.userId, organizationId: event.organizationId });
    stored.catch(() => undefined);
    this.received.push({ event, openTransactions: open, commits, stored });
  }
}

/**
 * Another team's mailer, as docs/extending.md shows it: the in-process `invitation.created` and
 * `invitation.resent` events are where the token travels to whoever sends it.
 */
@Injectable()
export class InvitationMailer {
  readonly sent: InvitationChangedEvent[] = [];

  @OnEvent(InvitationEvents.Created)
  onCreated(event: InvitationChangedEvent): void {
    this.sent.push(event);
  }

  @OnEvent(InvitationEvents.Resent)
  onResent(event: InvitationChangedEvent): void {
    this.sent.push(event);
  }
}

/** A listener that fails on one name: its failure must not undo nor fail the change. */
@Injectable()
export class FailingListener {
  static readonly TRIGGER = 'Explode';

  @OnEvent(MembershipEvents.Updated)
  onUpdated(event: MembershipChangedEvent): void {
    if (event.membership.firstName === FailingListener.TRIGGER) {
      throw new Error('A listener of another module failed');
    }
  }
}

/** Another team's controller, behind the same guards as the users API. */
@Controller('users-organizations/v1/rs/extension')
export class ExtensionController {
  @Get('whoami')
  @Authenticated()
  whoami(@CurrentAuth() auth: MemberContext) {
    return {
      data: {
        userId: auth.user.id,
        subject: auth.user.subject,
        organizationId: auth.session.organizationId,
        scope: auth.membership.scope,
        requestId: auth.requestId,
      },
    };
  }

  @Get('admin')
  @Authenticated({ administrator: true })
  admin(@CurrentAuth() auth: MemberContext) {
    return { data: { administrator: auth.user.id, organizationId: auth.session.organizationId } };
  }
}

/** Mounted with `startTestApp(engine, { extraModules: [ExtensionModule] })`. */
@Module({
  controllers: [ExtensionController],
  providers: [TransactionWatcher, MembershipEventRecorder, FailingListener, InvitationMailer],
})
export class ExtensionModule {}
