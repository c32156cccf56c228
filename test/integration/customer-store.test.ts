import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey } from '../../shared/customers/api-key.ts';
import { authenticateCaller } from '../../shared/customers/authenticate-caller.ts';
import { validateNewCustomer } from '../../shared/customers/customer.ts';
import { DynamoDbCustomerStore } from '../../shared/customers/dynamodb-customer-store.ts';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnauthorizedError,
} from '../../shared/errors.ts';
import { createTestTable } from '../helpers/table.ts';

let table: Awaited<ReturnType<typeof createTestTable>>;
let store: DynamoDbCustomerStore;
const NOW = new Date('2026-11-22T10:00:00Z');
const LATER = new Date('2026-11-22T11:00:00Z');

beforeAll(async () => {
  table = await createTestTable();
  store = new DynamoDbCustomerStore(table.documents, table.tableName);
});
afterAll(() => table?.destroy());

describe('DynamoDbCustomerStore on DynamoDB Local', () => {
  it('creates a customer with the default upload prefix and refuses the same id twice', async () => {
    const created = await store.createCustomer(
      validateNewCustomer({ customerId: 'acme', keyPrefixes: ['reports/'] }),
      NOW,
    );
    expect(created).toEqual({
      customerId: 'acme',
      name: 'acme',
      keyPrefixes: ['reports/'],
      uploadPrefix: 'uploads/acme/',
      status: 'active',
      createdAt: '2026-11-22T10:00:00.000Z',
    });
    expect(await store.getCustomer('acme')).toEqual(created);
    await expect(
      store.createCustomer(validateNewCustomer({ customerId: 'acme' }), NOW),
    ).rejects.toThrow(new ConflictError('customer acme already exists'));
  });

  it('lists every customer in id order', async () => {
    const ids = Array.from({ length: 30 }, (_, i) => `list-${String(i).padStart(2, '0')}`);
    await Promise.all(
      ids.map((customerId) => store.createCustomer(validateNewCustomer({ customerId }), NOW)),
    );
    const listed = (await store.listCustomers()).map((c) => c.customerId);
    expect(listed.filter((id) => id.startsWith('list-'))).toEqual(ids);
  });

  it('stores only the hash of an API key and finds the key by it', async () => {
    await store.createCustomer(validateNewCustomer({ customerId: 'hashed' }), NOW);
    const key = generateApiKey();
    await store.addApiKey('hashed', key, NOW);
    const { Items = [] } = await table.dynamodb.send(
      new ScanCommand({ TableName: table.tableName }),
    );
    expect(JSON.stringify(Items)).not.toContain(key.apiKey);
    expect(await store.findApiKey(hashApiKey(key.apiKey))).toEqual({
      keyId: key.keyId,
      customerId: 'hashed',
      createdAt: NOW.toISOString(),
    });
    expect(await store.findApiKey(hashApiKey(generateApiKey().apiKey))).toBeUndefined();
  });

  it('authenticates a key, refuses it once revoked, and refuses every key of a disabled customer', async () => {
    await store.createCustomer(validateNewCustomer({ customerId: 'globex' }), NOW);
    const first = generateApiKey();
    const second = generateApiKey();
    await store.addApiKey('globex', first, NOW);
    await store.addApiKey('globex', second, NOW);
    const caller = await authenticateCaller(store, `Bearer ${first.apiKey}`);
    expect(caller.customerId).toBe('globex');

    expect(await store.revokeApiKey('globex', first.keyId, LATER)).toEqual({
      keyId: first.keyId,
      customerId: 'globex',
      createdAt: NOW.toISOString(),
      revokedAt: LATER.toISOString(),
    });
    await expect(authenticateCaller(store, `Bearer ${first.apiKey}`)).rejects.toBeInstanceOf(
      UnauthorizedError,
    );
    expect((await authenticateCaller(store, `Bearer ${second.apiKey}`)).customerId).toBe('globex');

    const disabled = await store.disableCustomer('globex', LATER);
    expect(disabled).toMatchObject({ status: 'disabled', disabledAt: LATER.toISOString() });
    await expect(authenticateCaller(store, `Bearer ${second.apiKey}`)).rejects.toThrow(
      new ForbiddenError('customer globex is disabled'),
    );
    await expect(store.addApiKey('globex', generateApiKey(), LATER)).rejects.toThrow(
      new ConflictError('customer globex is disabled'),
    );
  });

  it('rotates a key: the new one works, the old one stops, in one step', async () => {
    await store.createCustomer(validateNewCustomer({ customerId: 'initech' }), NOW);
    const old = generateApiKey();
    await store.addApiKey('initech', old, NOW);
    const replacement = generateApiKey();
    const info = await store.rotateApiKey('initech', old.keyId, replacement, LATER);
    expect(info).toEqual({
      keyId: replacement.keyId,
      customerId: 'initech',
      createdAt: LATER.toISOString(),
    });
    expect((await authenticateCaller(store, `Bearer ${replacement.apiKey}`)).customerId).toBe(
      'initech',
    );
    await expect(authenticateCaller(store, `Bearer ${old.apiKey}`)).rejects.toBeInstanceOf(
      UnauthorizedError,
    );
    const keys = await store.listApiKeys('initech');
    expect(keys.map((k) => [k.keyId, k.revokedAt ?? null]).sort()).toEqual(
      [
        [old.keyId, LATER.toISOString()],
        [replacement.keyId, null],
      ].sort(),
    );
    await expect(
      store.rotateApiKey('initech', old.keyId, generateApiKey(), LATER),
    ).rejects.toBeInstanceOf(ConflictError);
  });

  it.each([
    [
      'adding a key to',
      (s: DynamoDbCustomerStore) => s.addApiKey('nobody', generateApiKey(), NOW),
      'no customer nobody',
    ],
    [
      'disabling',
      (s: DynamoDbCustomerStore) => s.disableCustomer('nobody', NOW),
      'no customer nobody',
    ],
    [
      'revoking a key of',
      (s: DynamoDbCustomerStore) => s.revokeApiKey('nobody', 'key_0', NOW),
      'customer nobody has no key key_0',
    ],
  ])('says so when %s an unknown customer', async (_, act, message) => {
    await expect(act(store)).rejects.toThrow(new NotFoundError(message));
  });

  it.each([
    ['no header', undefined],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['a malformed key', 'Bearer umk_short'],
    ['a well-formed key nobody has', `Bearer ${'umk_'}${'A'.repeat(43)}`],
  ])('refuses %s with 401', async (_, header) => {
    await expect(authenticateCaller(store, header)).rejects.toThrow(
      new UnauthorizedError('a valid API key is required: Authorization: Bearer <key>'),
    );
  });
});
