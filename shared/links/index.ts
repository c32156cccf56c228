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
  type SignGetRequest,
  type SignPutRequest,
} from './link-signer.ts';
