import {
  type AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';

export interface AthenaSettings {
  database: string;
  workgroup?: string | undefined;
  /** `s3://bucket/prefix/` for the results, unless the workgroup sets one. */
  outputLocation?: string | undefined;
  /** Between two looks at a running query; default 1 s. */
  pollMs?: number;
}

/**
 * Runs SQL statements on Athena one after another and resolves with the rows of the last
 * (its header row first), every value as text. A failed or cancelled statement throws with
 * Athena's reason.
 */
export async function runAthenaStatements(
  client: Pick<AthenaClient, 'send'>,
  statements: readonly string[],
  settings: AthenaSettings,
): Promise<string[][]> {
  let rows: string[][] = [];
  for (const sql of statements) {
    const { QueryExecutionId: id } = await client.send(
      new StartQueryExecutionCommand({
        QueryString: sql,
        QueryExecutionContext: { Database: settings.database },
        ...(settings.workgroup === undefined ? {} : { WorkGroup: settings.workgroup }),
        ...(settings.outputLocation === undefined
          ? {}
          : { ResultConfiguration: { OutputLocation: settings.outputLocation } }),
      }),
    );
    if (id === undefined) throw new Error('Athena started no query');
    for (;;) {
      const { QueryExecution } = await client.send(
        new GetQueryExecutionCommand({ QueryExecutionId: id }),
      );
      const state = QueryExecution?.Status?.State;
      if (state === 'SUCCEEDED') break;
      if (state === 'FAILED' || state === 'CANCELLED') {
        throw new Error(
          `Athena query ${id} ${state.toLowerCase()}: ${QueryExecution?.Status?.StateChangeReason ?? 'no reason given'}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, settings.pollMs ?? 1000));
    }
    rows = [];
    let token: string | undefined;
    do {
      const page = await client.send(
        new GetQueryResultsCommand({ QueryExecutionId: id, NextToken: token }),
      );
      for (const row of page.ResultSet?.Rows ?? []) {
        rows.push((row.Data ?? []).map((cell) => cell.VarCharValue ?? ''));
      }
      token = page.NextToken;
    } while (token !== undefined);
  }
  return rows;
}
