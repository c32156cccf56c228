import { LOCAL_SIGNERS } from '../local/identities.ts';
import {
  intendedSignerArn,
  isSignerArn,
  SIGNER_ARN_SHAPE,
} from '../shared/usage/attribution-rules.ts';
import { UsageError } from './command.ts';

/** `--signer <arn>`, repeatable: the identities whose presigned requests bill a customer. */
export const SIGNER_OPTION = { signer: { type: 'string', multiple: true } } as const;

export const SIGNER_USAGE = `  --signer <arn>             an identity whose presigned links bill customers (repeatable):
                             arn:aws:sts::<account>:assumed-role/<issue-link role name>, and
                             the signing user's ARN if links are signed by one (default:
                             $SIGNER_ARNS; with --local, the local link API's identity)`;

/** The signers the options name, or $SIGNER_ARNS, or the local stack's with `--local`. */
export function readSignerOption(
  values: { signer?: string[] | undefined; local?: boolean | undefined },
  env: NodeJS.ProcessEnv,
): readonly string[] {
  const signers =
    values.signer ??
    env.SIGNER_ARNS?.split(',')
      .map((arn) => arn.trim())
      .filter((arn) => arn !== '') ??
    (values.local === true ? LOCAL_SIGNERS : []);
  if (signers.length === 0) {
    throw new UsageError(
      'whose links bill customers? Pass --signer <arn> (repeatable) or set SIGNER_ARNS',
    );
  }
  checkSignerArns(signers);
  return signers;
}

/** Refuses every signer that is not a signer ARN, with the one it likely meant. */
export function checkSignerArns(signers: readonly string[]): void {
  const bad = signers.filter((arn) => !isSignerArn(arn));
  if (bad.length === 0) return;
  const named = bad.map((arn) => {
    const meant = intendedSignerArn(arn);
    return meant === undefined ? `'${arn}'` : `'${arn}' (did you mean ${meant}?)`;
  });
  throw new UsageError(`--signer must be ${SIGNER_ARN_SHAPE}; got ${named.join(', ')}`);
}
