import { Logger } from '@aws-lambda-powertools/logger';
import { createIssueLinkDeps } from '../../functions/issue-link/issue-link-deps.ts';
import { loadIssueLinkConfig } from '../../shared/config.ts';
import { ForbiddenError, NotFoundError } from '../../shared/errors.ts';
import { validateLinkRequest } from '../../shared/links/link-request.ts';
import { type Command, parseCommandArgs, UsageError } from '../command.ts';
import { openTarget, TARGET_OPTIONS, TARGET_USAGE } from '../target.ts';

const USAGE = `Usage: usage-meter link <customerId> <key> [options]

Issues a tracked link for a customer, as POST /links does for the customer's own API key:
the same access rules, expiry rules and link record. Prints the URL (a POST link prints
the form as JSON); the URL is a credential until it expires, so hand it on, do not log it.
On the local stack the link is signed by the link API's own identity; on AWS it is signed
by your credentials, and bills the customer only if your identity is one of the stack's
signers (SIGNER_ARNS): issue customers' links through POST /links.

Options:
  --method <GET|PUT|POST>   default GET
  --expires-in <seconds>    default $LINK_DEFAULT_EXPIRES_IN or 900
  --filename <name>         GET: download under this name
  --content-type <type>     PUT/POST: the upload must have this type
  --content-length <bytes>  PUT: the upload must be exactly this long
  --max-bytes <bytes>       POST: the largest file the form accepts (required)
  --json                    print the whole link record with the URL

${TARGET_USAGE}`;

const NUMBER_OPTIONS = {
  'expires-in': 'expiresIn',
  'content-length': 'contentLength',
  'max-bytes': 'maxBytes',
} as const;

export const linkCommand: Command = {
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs({
      args,
      options: {
        ...TARGET_OPTIONS,
        method: { type: 'string', default: 'GET' },
        'expires-in': { type: 'string' },
        filename: { type: 'string' },
        'content-type': { type: 'string' },
        'content-length': { type: 'string' },
        'max-bytes': { type: 'string' },
        json: { type: 'boolean', default: false },
      },
      allowPositionals: true,
    });
    const [customerId, key, ...extra] = positionals;
    if (customerId === undefined || key === undefined || extra.length > 0) {
      throw new UsageError('expected exactly <customerId> <key>');
    }
    const target = openTarget(values, process.env, (line) => io.stderr.write(line));
    try {
      const deps = createIssueLinkDeps({
        config: loadIssueLinkConfig(target.env),
        s3: target.s3,
        signingS3: target.signingS3,
        documents: target.documents,
        logger: new Logger({ logLevel: 'SILENT' }),
      });
      // As the API takes it: `get` is refused with the same problem in both.
      const body: Record<string, unknown> = { key, method: values.method };
      if (values.filename !== undefined) body.filename = values.filename;
      if (values['content-type'] !== undefined) body.contentType = values['content-type'];
      for (const [option, field] of Object.entries(NUMBER_OPTIONS)) {
        const text = values[option as keyof typeof NUMBER_OPTIONS];
        // A non-number stays a string, so that validation names the field.
        if (text !== undefined) body[field] = /^\d+$/.test(text) ? Number(text) : text;
      }
      const request = validateLinkRequest(body, deps.maxExpiresIn);
      const customer = await deps.customers.getCustomer(customerId);
      if (customer === undefined) throw new NotFoundError(`no customer ${customerId}`);
      if (customer.status !== 'active') {
        throw new ForbiddenError(`customer ${customerId} is ${customer.status}`);
      }
      const link = await deps.issuer.issue(customer, request);
      const output = values.json
        ? link
        : link.fields === undefined
          ? link.url
          : { url: link.url, fields: link.fields };
      io.stdout.write(`${typeof output === 'string' ? output : JSON.stringify(output, null, 2)}\n`);
      return 0;
    } finally {
      target.close();
    }
  },
};
