import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalApi } from '../../local/api/local-api-server.ts';
import { cliOn } from '../helpers/cli.ts';
import { s3ClientFor, sharedStack, startTestLinkApi } from '../helpers/local-stack.ts';
import { createTestTable } from '../helpers/table.ts';

const BUCKET = 'shared-test-bucket';
let table: Awaited<ReturnType<typeof createTestTable>>;
let s3: S3Client;
let api: LocalApi;
let cli: ReturnType<typeof cliOn>;

const apiKeyIn = (output: string) => /^api key +(umk_\S+)$/m.exec(output)?.[1] ?? 'none';
const keyIdIn = (output: string) => /^key id +(key_\S+)$/m.exec(output)?.[1] ?? 'none';

beforeAll(async () => {
  const stack = sharedStack();
  table = await createTestTable();
  s3 = s3ClientFor(stack);
  cli = cliOn(table.tableName, BUCKET);
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'docs/guide.txt', Body: 'read me' }));
  api = await startTestLinkApi(table.tableName, BUCKET);
});

afterAll(async () => {
  await api?.stop();
  s3?.destroy();
  table?.destroy();
});

describe('operating customers, keys and links from the CLI', () => {
  it('creates a customer, gives it a key that works on the link API, rotates and disables', async () => {
    const created = await cli('customers', 'create', 'acme', '--prefix', 'docs/', '--name', 'Acme');
    expect(created).toEqual({
      code: 0,
      out:
        'CUSTOMER  STATUS  UPLOADS        MAY DOWNLOAD  MONTHLY BUDGET  NAME\n' +
        'acme      active  uploads/acme/  docs/         -               Acme\n',
      err: '',
    });
    expect((await cli('customers', 'create', 'acme')).err).toBe(
      'usage-meter customers: customer acme already exists\n',
    );

    const key = await cli('keys', 'create', 'acme');
    expect(key.code).toBe(0);
    const apiKey = apiKeyIn(key.out);
    expect(apiKey).toMatch(/^umk_[A-Za-z0-9_-]{43}$/);
    const listed = await cli('keys', 'list', 'acme');
    expect(listed.out).toContain(keyIdIn(key.out));
    expect(listed.out).not.toContain(apiKey);

    const post = (bearer: string) =>
      fetch(`${api.url}/links`, {
        method: 'POST',
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
        body: JSON.stringify({ key: 'docs/guide.txt', method: 'GET' }),
      });
    const issued = await post(apiKey);
    expect(issued.status).toBe(201);
    const { url } = (await issued.json()) as { url: string };
    expect(await (await fetch(url)).text()).toBe('read me');

    const rotated = await cli('keys', 'rotate', 'acme', keyIdIn(key.out));
    expect(rotated.out).toContain(`key ${keyIdIn(key.out)} is revoked`);
    expect((await post(apiKey)).status).toBe(401);
    expect((await post(apiKeyIn(rotated.out))).status).toBe(201);

    const keysAsJson = JSON.parse((await cli('keys', 'list', 'acme', '--json')).out) as Array<{
      keyId: string;
      revokedAt?: string;
    }>;
    expect(keysAsJson.map((k) => [k.keyId, k.revokedAt !== undefined])).toEqual(
      expect.arrayContaining([[keyIdIn(key.out), true]]),
    );
    const newKey = JSON.parse((await cli('keys', 'create', 'acme', '--json')).out) as {
      customerId: string;
      apiKey: string;
    };
    expect(newKey).toMatchObject({ customerId: 'acme', apiKey: expect.stringMatching(/^umk_/) });
    expect((await cli('customers', 'disable', 'acme')).out).toMatch(/^acme +disabled/m);
    expect((await post(apiKeyIn(rotated.out))).status).toBe(403);
  });

  it('issues a link from the CLI with the same rules as the API', async () => {
    await cli('customers', 'create', 'globex', '--prefix', 'docs/');
    const link = await cli('link', 'globex', 'docs/guide.txt', '--expires-in', '120');
    expect(link.code).toBe(0);
    const url = new URL(link.out.trim());
    expect(url.searchParams.get('x-customer-id')).toBe('globex');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('120');
    expect(await (await fetch(url)).text()).toBe('read me');

    expect(await cli('link', 'globex', 'docs/none.txt')).toEqual({
      code: 1,
      out: '',
      err: 'usage-meter link: no object docs/none.txt\n',
    });
    expect(
      (await cli('link', 'globex', 'x/../y', '--method', 'PUT', '--max-bytes', 'lots')).err,
    ).toBe(
      'usage-meter link: key: must not contain . or .. path segments; maxBytes: applies only to POST links\n',
    );
    expect((await cli('link', 'nobody', 'docs/guide.txt')).err).toBe(
      'usage-meter link: no customer nobody\n',
    );
  });

  it('passes the query string to the handler as API Gateway does', async () => {
    await cli('customers', 'create', 'initech');
    const apiKey = apiKeyIn((await cli('keys', 'create', 'initech')).out);
    const response = await fetch(`${api.url}/usage?period=2026-11`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ customerId: 'initech', period: '2026-11' });
  });

  it('answers routes it does not serve as API Gateway does', async () => {
    const response = await fetch(`${api.url}/nothing`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ message: 'Not Found' });
  });
});

describe('customers’ prefixes are folders that never nest', () => {
  it('refuses a download prefix that is not a folder, naming the field', async () => {
    const result = await cli('customers', 'create', 'reporting', '--prefix', 'reports/acme');
    expect(result).toEqual({
      code: 1,
      out: '',
      err: 'usage-meter customers: keyPrefixes[0]: must be a folder: non-empty, ending in / and not starting with /\n',
    });
  });

  it('refuses an upload prefix inside or around another customer’s, naming that customer', async () => {
    expect((await cli('customers', 'create', 'nest-a', '--upload-prefix', 'in/a/')).code).toBe(0);
    for (const prefix of ['in/a/b/', 'in/']) {
      expect(await cli('customers', 'create', 'nest-b', '--upload-prefix', prefix)).toEqual({
        code: 1,
        out: '',
        err: `usage-meter customers: upload prefix ${prefix} overlaps in/a/ of customer nest-a: form uploads there could not be told apart\n`,
      });
    }
    expect((await cli('customers', 'list', '--json')).out).not.toContain('nest-b');
  });

  it('updates a wrong prefix, keeping what is not given, and refuses a nesting one', async () => {
    await cli('customers', 'create', 'fixme', '--prefix', 'docs/', '--upload-prefix', 'fix/me/');
    const moved = await cli('customers', 'update', 'fixme', '--upload-prefix', 'fix/it/');
    expect(moved.out).toMatch(/^fixme +active +fix\/it\/ +docs\/ +- +fixme$/m);
    const widened = await cli('customers', 'update', 'fixme', '--whole-bucket', '--name', 'Fix');
    expect(widened.out).toMatch(/^fixme +active +fix\/it\/ +\(whole bucket\) +- +Fix$/m);
    const nested = await cli('customers', 'update', 'fixme', '--upload-prefix', 'in/a/deeper/');
    expect(nested.err).toContain('overlaps in/a/ of customer nest-a');
    expect((await cli('customers', 'update', 'nobody', '--name', 'x')).err).toBe(
      'usage-meter customers: no customer nobody\n',
    );
  });

  it('sets, keeps, changes and removes a monthly byte budget', async () => {
    const created = await cli('customers', 'create', 'capped', '--budget', '1.5GiB', '--json');
    expect(JSON.parse(created.out)).toMatchObject({ monthlyByteBudget: 1_610_612_736 });
    const renamed = await cli('customers', 'update', 'capped', '--name', 'Capped');
    expect(renamed.out).toMatch(/^capped +active +uploads\/capped\/ +- +1610612736 B +Capped$/m);
    const raised = await cli('customers', 'update', 'capped', '--budget', '500 GB', '--json');
    expect(JSON.parse(raised.out)).toMatchObject({ monthlyByteBudget: 500_000_000_000 });
    const removed = await cli('customers', 'update', 'capped', '--budget', 'none', '--json');
    expect(JSON.parse(removed.out)).not.toHaveProperty('monthlyByteBudget');
    for (const [action, size] of [
      ['create', 'none'],
      ['update', '12XB'],
      ['update', '0'],
    ] as const) {
      const refused = await cli('customers', action, 'capped', '--budget', size);
      expect(refused.code).toBe(2);
      expect(refused.err).toContain(
        `--budget must be a size such as 500GB, 1.5TiB or a number of bytes`,
      );
      expect(refused.err).toContain(`got '${size}'`);
    }
  });

  it('maps a customer to its Stripe customer, and unmaps it', async () => {
    const created = await cli(
      'customers',
      'create',
      'billed',
      '--stripe-customer',
      'cus_Q1w2',
      '--json',
    );
    expect(JSON.parse(created.out)).toMatchObject({ stripeCustomerId: 'cus_Q1w2' });
    const kept = await cli('customers', 'update', 'billed', '--budget', '1GB', '--json');
    expect(JSON.parse(kept.out)).toMatchObject({
      stripeCustomerId: 'cus_Q1w2',
      monthlyByteBudget: 1e9,
    });
    const removed = await cli(
      'customers',
      'update',
      'billed',
      '--stripe-customer',
      'none',
      '--json',
    );
    expect(JSON.parse(removed.out)).not.toHaveProperty('stripeCustomerId');
    const refused = await cli('customers', 'update', 'billed', '--stripe-customer', 'acct_123');
    expect(refused).toMatchObject({ code: 1 });
    expect(refused.err).toContain('stripeCustomerId: must be a Stripe customer id');
  });

  it('prints the customer it created, updated or disabled as JSON with --json', async () => {
    const created = await cli('customers', 'create', 'jsonco', '--prefix', 'docs/', '--json');
    expect(JSON.parse(created.out)).toMatchObject({
      customerId: 'jsonco',
      status: 'active',
      keyPrefixes: ['docs/'],
      uploadPrefix: 'uploads/jsonco/',
    });
    const updated = await cli('customers', 'update', 'jsonco', '--name', 'Json Co', '--json');
    expect(JSON.parse(updated.out)).toMatchObject({ customerId: 'jsonco', name: 'Json Co' });
    const disabled = await cli('customers', 'disable', 'jsonco', '--json');
    expect(JSON.parse(disabled.out)).toMatchObject({ customerId: 'jsonco', status: 'disabled' });
  });
});
