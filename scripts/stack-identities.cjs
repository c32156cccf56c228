// What serverless.yml needs that CloudFormation cannot compute from the stage parameters:
// the metering's signer identities, the principals the content bucket lets presign, and the
// oldest signature it accepts. Serverless calls each function when it packages the stack.
'use strict';

/** Clock skew allowed between the signer and S3 on top of the longest link. */
const CLOCK_SKEW_SECONDS = 900;

const list = (text) =>
  String(text ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

/** The signing user's ARN, required exactly when links are signed by a user. */
async function signingUser(resolveVariable) {
  const secret = await resolveVariable('param:signingSecretArn');
  const users = list(await resolveVariable('param:signingUserArn'));
  if (secret !== '' && users.length !== 1) {
    throw new Error('signingUserArn must name the IAM user whose keys signingSecretArn holds');
  }
  if (secret === '' && users.length > 0) {
    throw new Error('signingUserArn is only for links signed by a user: set signingSecretArn too');
  }
  return users;
}

module.exports = {
  /** SIGNER_ARNS: every session of the link API's role, and the signing user if there is one. */
  async signerArns({ resolveVariable }) {
    const role = {
      'Fn::Sub': 'arn:${AWS::Partition}:sts::${AWS::AccountId}:assumed-role/${IssueLinkRole}',
    };
    return { 'Fn::Join': [',', [role, ...(await signingUser(resolveVariable))]] };
  },

  /** The principals (aws:PrincipalArn) whose presigned requests the content bucket accepts. */
  async presignerArns({ resolveVariable }) {
    return [
      { 'Fn::GetAtt': ['IssueLinkRole', 'Arn'] },
      ...(await signingUser(resolveVariable)),
      ...list(await resolveVariable('param:extraPresignerArns')),
    ];
  },

  /** s3:signatureAge limit in milliseconds: the longest link, plus clock skew. */
  async maxSignatureAgeMs({ resolveVariable }) {
    const seconds = Number(await resolveVariable('param:linkMaxExpiresIn'));
    if (!Number.isInteger(seconds) || seconds < 1) {
      throw new Error('linkMaxExpiresIn must be a whole number of seconds');
    }
    return (seconds + CLOCK_SKEW_SECONDS) * 1000;
  },
};
