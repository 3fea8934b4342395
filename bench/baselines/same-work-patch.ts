/** The same-work plan (same-work-statements.ts) run on a mysql2 pool, shared by two baselines. */
import type { Pool, PoolConnection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { Changes, MembershipRow, TokenClaims } from './common';
import {
  RequestState,
  StaleRow,
  Statement,
  StatementResult,
  newRequestState,
  planFor,
  resultingRow,
} from './same-work-statements';

/** Runs statements in order; a transaction connection is taken at the first one that needs it. */
async function runStatements(pool: Pool, statements: Statement[], state: RequestState) {
  let connection: PoolConnection | undefined;
  try {
    for (const statement of statements) {
      if (statement.when && !statement.when(state)) continue;
      let executor: Pool | PoolConnection = pool;
      if (statement.transaction) executor = connection ??= await pool.getConnection();
      const sql = typeof statement.sql === 'string' ? statement.sql : statement.sql(state);
      const parameters = statement.params?.(state) ?? [];
      const [outcome] =
        statement.protocol === 'execute'
          ? await executor.execute<RowDataPacket[] | ResultSetHeader>(sql, parameters)
          : await executor.query<RowDataPacket[] | ResultSetHeader>(sql, parameters);
      const result: StatementResult = Array.isArray(outcome)
        ? { rows: outcome, affectedRows: 0 }
        : { rows: [], affectedRows: outcome.affectedRows };
      statement.then?.(state, result);
    }
  } catch (error) {
    if (connection) await connection.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    connection?.release();
  }
}

export async function sameWorkPatch(
  pool: Pool,
  claims: TokenClaims,
  targetUserId: number,
  changes: Changes,
): Promise<MembershipRow> {
  const state = newRequestState(claims, targetUserId, changes);
  const plan = planFor(changes);
  try {
    await runStatements(pool, plan.statements, state);
  } catch (error) {
    if (!(error instanceof StaleRow) || !plan.fallback) throw error;
    await runStatements(pool, plan.fallback, state);
  }
  return resultingRow(state);
}
