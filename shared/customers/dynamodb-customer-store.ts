import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  ConditionalCheckFailedException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { ConflictError, NotFoundError } from '../errors.ts';
import { queryItems } from '../table/query-items.ts';
import { TABLE_INDEX } from '../table/schema.ts';
import type { GeneratedApiKey } from './api-key.ts';
import type { Customer, CustomerStatus, NewCustomer } from './customer.ts';
import type { ApiKeyInfo, CustomerStore } from './customer-store.ts';
import {
  API_KEY_REF_PREFIX,
  apiKeyKey,
  apiKeyRefKey,
  CUSTOMER_LIST,
  customerListSortKey,
  customerPartition,
  customerProfileKey,
} from '../table/keys.ts';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Every customer profile is also in one GSI partition, so that listing them is a Query. */

/** The customer's own entry for each key: how keys are listed and revoked by id. */

/**
 * Customers and API keys in the single table (docs/data-model.md). An API key is stored as
 * `APIKEY#<sha256>` (looked up when a request arrives) and listed under its customer as
 * `APIKEY#<keyId>` (looked up by operators); both change together in one transaction.
 */
export class DynamoDbCustomerStore implements CustomerStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async createCustomer(customer: NewCustomer, now: Date): Promise<Customer> {
    const created: Customer = { ...customer, status: 'active', createdAt: now.toISOString() };
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...customerProfileKey(customer.customerId),
            GSI1PK: CUSTOMER_LIST,
            GSI1SK: customerListSortKey(customer.customerId),
            type: 'customer',
            ...created,
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new ConflictError(`customer ${customer.customerId} already exists`, error);
      }
      throw error;
    }
    return created;
  }

  async getCustomer(customerId: string): Promise<Customer | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: customerProfileKey(customerId) }),
    );
    return Item === undefined ? undefined : toCustomer(Item);
  }

  async listCustomers(): Promise<Customer[]> {
    const customers: Customer[] = [];
    const items = queryItems(this.client, this.tableName, {
      IndexName: TABLE_INDEX,
      KeyConditionExpression: 'GSI1PK = :list',
      ExpressionAttributeValues: { ':list': CUSTOMER_LIST },
    });
    for await (const item of items) customers.push(toCustomer(item));
    return customers;
  }

  async updateCustomer(customer: NewCustomer): Promise<Customer> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: customerProfileKey(customer.customerId),
          UpdateExpression: updateExpression(customer),
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeNames: { '#name': 'name' },
          ExpressionAttributeValues: {
            ':name': customer.name,
            ':keyPrefixes': customer.keyPrefixes,
            ':upload': customer.uploadPrefix,
            ...(customer.monthlyByteBudget === undefined
              ? {}
              : { ':budget': customer.monthlyByteBudget }),
            ...(customer.stripeCustomerId === undefined
              ? {}
              : { ':stripe': customer.stripeCustomerId }),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toCustomer(Attributes ?? {});
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new NotFoundError(`no customer ${customer.customerId}`);
      }
      throw error;
    }
  }

  async disableCustomer(customerId: string, now: Date): Promise<Customer> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: customerProfileKey(customerId),
          UpdateExpression: 'SET #status = :disabled, disabledAt = if_not_exists(disabledAt, :now)',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':disabled': 'disabled', ':now': now.toISOString() },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toCustomer(Attributes ?? {});
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new NotFoundError(`no customer ${customerId}`);
      }
      throw error;
    }
  }

  async addApiKey(customerId: string, key: GeneratedApiKey, now: Date): Promise<ApiKeyInfo> {
    const info: ApiKeyInfo = { keyId: key.keyId, customerId, createdAt: now.toISOString() };
    await this.transact([this.activeCustomerCheck(customerId), ...this.putKey(key, info)], () =>
      this.whyNotActive(customerId),
    );
    return info;
  }

  async listApiKeys(customerId: string): Promise<ApiKeyInfo[]> {
    const keys: ApiKeyInfo[] = [];
    const items = queryItems(this.client, this.tableName, {
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :keys)',
      ExpressionAttributeValues: {
        ':pk': customerPartition(customerId),
        ':keys': API_KEY_REF_PREFIX,
      },
    });
    for await (const item of items) keys.push(toApiKeyInfo(item));
    return keys;
  }

  async revokeApiKey(customerId: string, keyId: string, now: Date): Promise<ApiKeyInfo> {
    const ref = await this.keyRef(customerId, keyId);
    if (ref.info.revokedAt !== undefined) return ref.info;
    // The key's items were read just now; a failed condition means they were deleted since.
    await this.transact(this.revokeKey(ref.keyHash, customerId, keyId, now), () =>
      Promise.reject(new NotFoundError(`customer ${customerId} has no key ${keyId}`)),
    );
    return { ...ref.info, revokedAt: now.toISOString() };
  }

  async rotateApiKey(
    customerId: string,
    keyId: string,
    replacement: GeneratedApiKey,
    now: Date,
  ): Promise<ApiKeyInfo> {
    const ref = await this.keyRef(customerId, keyId);
    if (ref.info.revokedAt !== undefined) {
      throw new ConflictError(`key ${keyId} is already revoked: create a new key instead`);
    }
    const info: ApiKeyInfo = { keyId: replacement.keyId, customerId, createdAt: now.toISOString() };
    await this.transact(
      [
        this.activeCustomerCheck(customerId),
        ...this.putKey(replacement, info),
        ...this.revokeKey(ref.keyHash, customerId, keyId, now),
      ],
      () => this.whyNotActive(customerId),
    );
    return info;
  }

  async findApiKey(keyHash: string): Promise<ApiKeyInfo | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: apiKeyKey(keyHash), ConsistentRead: true }),
    );
    return Item === undefined ? undefined : toApiKeyInfo(Item);
  }

  private async keyRef(customerId: string, keyId: string) {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: apiKeyRefKey(customerId, keyId),
        ConsistentRead: true,
      }),
    );
    if (Item === undefined) throw new NotFoundError(`customer ${customerId} has no key ${keyId}`);
    return { info: toApiKeyInfo(Item), keyHash: String(Item.keyHash) };
  }

  private activeCustomerCheck(customerId: string): TransactItem {
    return {
      ConditionCheck: {
        TableName: this.tableName,
        Key: customerProfileKey(customerId),
        ConditionExpression: '#status = :active',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':active': 'active' },
      },
    };
  }

  private putKey(key: GeneratedApiKey, info: ApiKeyInfo): TransactItem[] {
    const condition = 'attribute_not_exists(PK)';
    return [
      {
        Put: {
          TableName: this.tableName,
          Item: { ...apiKeyKey(key.keyHash), type: 'apiKey', ...info },
          ConditionExpression: condition,
        },
      },
      {
        Put: {
          TableName: this.tableName,
          Item: {
            ...apiKeyRefKey(info.customerId, info.keyId),
            type: 'apiKeyRef',
            keyHash: key.keyHash,
            ...info,
          },
          ConditionExpression: condition,
        },
      },
    ];
  }

  private revokeKey(keyHash: string, customerId: string, keyId: string, now: Date): TransactItem[] {
    return [apiKeyKey(keyHash), apiKeyRefKey(customerId, keyId)].map((Key) => ({
      Update: {
        TableName: this.tableName,
        Key,
        UpdateExpression: 'SET revokedAt = if_not_exists(revokedAt, :now)',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':now': now.toISOString() },
      },
    }));
  }

  /** Runs a transaction; `explain` says why when its first item's condition fails. */
  private async transact(items: TransactItem[], explain: () => Promise<never>): Promise<void> {
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      if (error.CancellationReasons?.[0]?.Code !== 'ConditionalCheckFailed') throw error;
      await explain();
    }
  }

  /** The error for a customer that is missing or not active. */
  private async whyNotActive(customerId: string): Promise<never> {
    const customer = await this.getCustomer(customerId);
    if (customer === undefined) throw new NotFoundError(`no customer ${customerId}`);
    throw new ConflictError(`customer ${customerId} is ${customer.status}`);
  }
}

/** Sets what the customer has, and removes the optional attributes it has not. */
function updateExpression(customer: NewCustomer): string {
  const set = ['#name = :name', 'keyPrefixes = :keyPrefixes', 'uploadPrefix = :upload'];
  const remove: string[] = [];
  if (customer.monthlyByteBudget === undefined) remove.push('monthlyByteBudget');
  else set.push('monthlyByteBudget = :budget');
  if (customer.stripeCustomerId === undefined) remove.push('stripeCustomerId');
  else set.push('stripeCustomerId = :stripe');
  return `SET ${set.join(', ')}${remove.length === 0 ? '' : ` REMOVE ${remove.join(', ')}`}`;
}

function toCustomer(item: Record<string, unknown>): Customer {
  return {
    customerId: String(item.customerId),
    name: String(item.name),
    keyPrefixes: (item.keyPrefixes as string[] | undefined) ?? [],
    uploadPrefix: String(item.uploadPrefix),
    status: item.status as CustomerStatus,
    createdAt: String(item.createdAt),
    ...(typeof item.disabledAt === 'string' ? { disabledAt: item.disabledAt } : {}),
    ...(item.monthlyByteBudget === undefined
      ? {}
      : { monthlyByteBudget: Number(item.monthlyByteBudget) }),
    ...(typeof item.stripeCustomerId === 'string'
      ? { stripeCustomerId: item.stripeCustomerId }
      : {}),
  };
}

function toApiKeyInfo(item: Record<string, unknown>): ApiKeyInfo {
  return {
    keyId: String(item.keyId),
    customerId: String(item.customerId),
    createdAt: String(item.createdAt),
    ...(typeof item.revokedAt === 'string' ? { revokedAt: item.revokedAt } : {}),
  };
}
