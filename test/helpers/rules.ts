import {
  type AttributionRules,
  createAttributionRules,
} from '../../shared/usage/attribution-rules.ts';

/** The link API role of a deployed stack, as SIGNER_ARNS names it. */
export const SIGNER_ROLE =
  'arn:aws:sts::123456789012:assumed-role/s3-usage-meter-prod-IssueLinkRole-1A2B3C';
/** A session of that role: the Requester S3 logs for a link the Lambda signed. */
export const SIGNER_SESSION = `${SIGNER_ROLE}/s3-usage-meter-prod-issueLink`;
/** An operator of the same account, who may presign URLs but bills nobody. */
export const OPERATOR_ARN = 'arn:aws:iam::123456789012:user/ops-alice';

/** Customers with their upload prefixes, as the store lists them. */
export function customer(customerId: string, uploadPrefix = `uploads/${customerId}/`) {
  return { customerId, uploadPrefix };
}

/** The deployed stack's rules over these customers (by default acme and bob). */
export function testRules(
  customers: Array<{ customerId: string; uploadPrefix: string }> = [
    customer('acme'),
    customer('bob'),
  ],
): AttributionRules {
  return createAttributionRules({ signers: [SIGNER_ROLE], customers });
}
