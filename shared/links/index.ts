export {
  DEFAULT_LINK_LIFETIME_SECONDS,
  type Expiry,
  type ExpiryRequest,
  MAX_LINK_LIFETIME_SECONDS,
  resolveLinkExpiry,
} from './link-expiry.ts';
export {
  attachmentDisposition,
  createLinkSigner,
  type LinkIdentity,
  type LinkSigner,
  type PresignedPost,
  type SignGetRequest,
  type SignPostRequest,
  type SignPutRequest,
  SIGNING_CLIENT_CONFIG,
} from './link-signer.ts';
export { DynamoDbLinkRegistry } from './dynamodb-link-registry.ts';
export { generateLinkId } from './link-id.ts';
export type { LinkRecord, LinkRegistry, LinkUsageSoFar } from './link-registry.ts';
export {
  LINK_METHODS,
  type LinkMethod,
  type LinkRequest,
  MAX_SINGLE_UPLOAD_BYTES,
  validateLinkRequest,
} from './link-request.ts';
export { createS3ObjectLookup, type ObjectLookup } from './object-lookup.ts';
