export { generateApiKey, type GeneratedApiKey, hashApiKey, readBearerKey } from './api-key.ts';
export { authenticateCaller } from './authenticate-caller.ts';
export {
  type Customer,
  type CustomerStatus,
  defaultUploadPrefix,
  mayDownload,
  mayUpload,
  type NewCustomer,
  validateNewCustomer,
} from './customer.ts';
export { CUSTOMER_ID_PATTERN, isValidCustomerId } from './customer-id.ts';
export type { ApiKeyInfo, CustomerStore } from './customer-store.ts';
export { DynamoDbCustomerStore } from './dynamodb-customer-store.ts';
