import {
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { describe, expect, it } from 'vitest';
import { runAthenaStatements } from '../../../shared/metering/athena-runner.ts';

// Athena cannot run here: a scripted stand-in answers, to prove how the runner drives it.
function scriptedAthena(states: string[], pagesByQuery: Record<string, string[][][]>) {
  const sent: string[] = [];
  let started = 0;
  let looked = 0;
  return {
    sent,
    send(command: object) {
      sent.push(command.constructor.name);
      if (command instanceof StartQueryExecutionCommand) {
        return Promise.resolve({ QueryExecutionId: `q${++started}` });
      }
      if (command instanceof GetQueryExecutionCommand) {
        const state = states[looked++] ?? 'SUCCEEDED';
        return Promise.resolve({
          QueryExecution: { Status: { State: state, StateChangeReason: 'no such table' } },
        });
      }
      if (command instanceof GetQueryResultsCommand) {
        const pages = pagesByQuery[command.input.QueryExecutionId ?? ''] ?? [];
        const page = Number(command.input.NextToken ?? 0);
        const rows = pages[page] ?? [];
        return Promise.resolve({
          ResultSet: { Rows: rows.map((row) => ({ Data: row.map((v) => ({ VarCharValue: v })) })) },
          ...(page + 1 < pages.length ? { NextToken: String(page + 1) } : {}),
        });
      }
      return Promise.reject(new Error(`unexpected ${command.constructor.name}`));
    },
  };
}

describe('runAthenaStatements', () => {
  it('runs each statement to its end and returns every page of the last one’s rows', async () => {
    const athena = scriptedAthena(['RUNNING', 'SUCCEEDED', 'QUEUED', 'SUCCEEDED'], {
      q1: [[]],
      q2: [
        [
          ['customer', 'downloadBytes'],
          ['acme', '120'],
        ],
        [['bob', '7']],
      ],
    });
    const rows = await runAthenaStatements(
      athena as never,
      ['CREATE EXTERNAL TABLE …', 'WITH records AS …'],
      { database: 'default', pollMs: 1 },
    );
    expect(rows).toEqual([
      ['customer', 'downloadBytes'],
      ['acme', '120'],
      ['bob', '7'],
    ]);
    expect(athena.sent.filter((name) => name === 'StartQueryExecutionCommand')).toHaveLength(2);
  });

  it('fails with Athena’s reason when a statement fails', async () => {
    const athena = scriptedAthena(['FAILED'], {});
    await expect(
      runAthenaStatements(athena as never, ['SELECT 1'], { database: 'default', pollMs: 1 }),
    ).rejects.toThrow('Athena query q1 failed: no such table');
  });
});
