import { generateApiKey } from '../../shared/customers/api-key.ts';
import type { ApiKeyInfo } from '../../shared/customers/customer-store.ts';
import { DynamoDbCustomerStore } from '../../shared/customers/dynamodb-customer-store.ts';
import { type Command, type CommandIo, parseCommandArgs, UsageError } from '../command.ts';
import { formatTable } from '../format-table.ts';
import { openTarget, TARGET_OPTIONS, TARGET_USAGE } from '../target.ts';

const USAGE = `Usage:
  usage-meter keys create <customerId>
  usage-meter keys list <customerId>
  usage-meter keys revoke <customerId> <keyId>
  usage-meter keys rotate <customerId> <keyId>

create  a new API key for the customer; the key is printed once, only its hash is kept
list    the customer's keys by id (never the keys themselves)
revoke  the key stops working at once
rotate  a new key replaces the old one in one step (the old one stops at once); for a
        grace period, create a new key first and revoke the old one later
--json  print the result as JSON (create and rotate include the new key, once)

${TARGET_USAGE}`;

export const keysCommand: Command = {
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs({
      args,
      options: { ...TARGET_OPTIONS, json: { type: 'boolean', default: false } },
      allowPositionals: true,
    });
    const [action, customerId, keyId, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
    if (customerId === undefined) throw new UsageError(`keys ${action ?? ''}: which customer?`);
    const needsKeyId = action === 'revoke' || action === 'rotate';
    if (needsKeyId && keyId === undefined) throw new UsageError(`keys ${action}: which key id?`);
    if (!needsKeyId && keyId !== undefined) throw new UsageError(`unexpected argument: ${keyId}`);
    const target = openTarget(values, process.env, (line) => io.stderr.write(line));
    try {
      const store = new DynamoDbCustomerStore(target.documents, target.tableName());
      const now = new Date();
      const json = (value: unknown) => io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
      switch (action) {
        case 'create': {
          const key = generateApiKey();
          const info = await store.addApiKey(customerId, key, now);
          if (values.json) json({ ...info, apiKey: key.apiKey });
          else printNewKey(info, key.apiKey, io);
          return 0;
        }
        case 'rotate': {
          const key = generateApiKey();
          const info = await store.rotateApiKey(customerId, keyId ?? '', key, now);
          if (values.json) {
            json({ ...info, apiKey: key.apiKey, revokedKeyId: keyId });
          } else {
            printNewKey(info, key.apiKey, io);
            io.stdout.write(`key ${keyId ?? ''} is revoked\n`);
          }
          return 0;
        }
        case 'revoke': {
          const info = await store.revokeApiKey(customerId, keyId ?? '', now);
          if (values.json) json(info);
          else io.stdout.write(formatKeys([info]));
          return 0;
        }
        case 'list': {
          const keys = await store.listApiKeys(customerId);
          if (values.json) json(keys);
          else io.stdout.write(formatKeys(keys));
          return 0;
        }
        default:
          throw new UsageError(`unknown action '${action ?? ''}': create, list, revoke or rotate`);
      }
    } finally {
      target.close();
    }
  },
};

function printNewKey(info: ApiKeyInfo, apiKey: string, io: CommandIo): void {
  io.stdout.write(
    [
      `customer  ${info.customerId}`,
      `key id    ${info.keyId}`,
      `api key   ${apiKey}`,
      '',
      'The API key is shown only this once: only its SHA-256 hash is stored.',
      '',
    ].join('\n'),
  );
}

function formatKeys(keys: readonly ApiKeyInfo[]): string {
  return formatTable(
    ['KEY ID', 'CUSTOMER', 'CREATED', 'REVOKED'],
    keys.map((k) => [k.keyId, k.customerId, k.createdAt, k.revokedAt ?? '-']),
  );
}
