import { randomBytes } from 'node:crypto';
import { localCredentials } from './local-credentials.ts';

/** An access key the local S3 knows, and the Requester its requests are logged with. */
export interface LocalIdentity {
  accessKeyId: string;
  secretAccessKey: string;
  /** What S3 writes in the Requester field of the access log for this identity. */
  arn: string;
}

/** The local stack's account, in every ARN it logs. */
export const LOCAL_ACCOUNT_ID = '000000000000';

/** The Requester the local S3 logs for the operator. */
export const OPERATOR_ARN = `arn:aws:iam::${LOCAL_ACCOUNT_ID}:user/local-operator`;

/**
 * The operator: this checkout's key pair (`localCredentials`), used by the CLI, the tests and
 * your own clients, for S3 and DynamoDB alike. Its presigned URLs work, as an operator's
 * would in AWS, but bill nobody.
 */
export function operatorIdentity(): LocalIdentity {
  return { ...localCredentials(), arn: OPERATOR_ARN };
}

/** The link API's role, as `SIGNER_ARNS` names it: its sessions are the stack's signer. */
export const LINK_SIGNER_ROLE_ARN = `arn:aws:sts::${LOCAL_ACCOUNT_ID}:assumed-role/usage-meter-local-issue-link`;

/** The link API's own identity: a session of its role, as a Lambda function has in AWS. */
export const LINK_SIGNER_IDENTITY: LocalIdentity = {
  accessKeyId: 'LOCALISSUELINK',
  secretAccessKey: 'local-issue-link-secret',
  arn: `${LINK_SIGNER_ROLE_ARN}/issue-link`,
};

/** The signer identities of the local stack, for the metering. */
export const LOCAL_SIGNERS: readonly string[] = [LINK_SIGNER_ROLE_ARN];

/**
 * The logging emulator's identity, the only one that may write a log bucket. Its secret is
 * new in every process, so nothing outside the emulator can sign as it.
 */
export function createLogDeliveryIdentity(): LocalIdentity {
  return {
    accessKeyId: 'LOCALLOGDELIVERY',
    secretAccessKey: randomBytes(24).toString('base64url'),
    arn: 'svc:logging.s3.amazonaws.com',
  };
}
