import { randomBytes } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/local-stack.ts';
import { readLines } from '../../shared/access-log/index.ts';
import { createLinkSigner, type LinkSigner } from '../../shared/links/link-signer.ts';
import { createAttributionRules } from '../../shared/usage/attribution-rules.ts';
import { UsageAggregator } from '../../shared/usage/index.ts';
import { collect } from '../helpers/aggregate.ts';
import { s3ClientFor, startTestStack } from '../helpers/local-stack.ts';

const CONTENT = 'links-content';
const LOGS = 'links-logs';
const KEY = 'reports/annual report.pdf';
const BODY = randomBytes(250_000);

let stack: LocalStack;
let s3: S3Client;
let signer: LinkSigner;

beforeAll(async () => {
  stack = await startTestStack({
    buckets: [CONTENT, LOGS],
    logging: [{ sourceBucket: CONTENT, targetBucket: LOGS, targetPrefix: 'logs/' }],
  });
  s3 = s3ClientFor(stack);
  // Links are signed as the link API signs them: with its own identity.
  signer = createLinkSigner(s3ClientFor(stack, 'signer'));
  await s3.send(new PutObjectCommand({ Bucket: CONTENT, Key: KEY, Body: BODY }));
});

afterAll(async () => {
  s3?.destroy();
  await stack?.stop();
});

const acmeGet = (extra: { filename?: string } = {}) =>
  signer.signGet({
    bucket: CONTENT,
    key: KEY,
    customerId: 'acme',
    linkId: 'Lk_acme1',
    expiresIn: 300,
    ...extra,
  });

describe('tracked links on the local S3', () => {
  it('signs x-customer-id and x-link-id into a GET link that downloads the object', async () => {
    const url = new URL(await acmeGet());
    expect(url.searchParams.get('x-customer-id')).toBe('acme');
    expect(url.searchParams.get('x-link-id')).toBe('Lk_acme1');
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(BODY)).toBe(true);
  });

  it('offers the download under the given file name', async () => {
    const response = await fetch(await acmeGet({ filename: 'Annual report 2026.pdf' }));
    await response.arrayBuffer();
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="Annual report 2026.pdf"; filename*=UTF-8''Annual%20report%202026.pdf`,
    );
  });

  it.each([
    [
      're-attributed to another customer',
      (u: URL) => u.searchParams.set('x-customer-id', 'globex'),
    ],
    ['stripped of its customer', (u: URL) => u.searchParams.delete('x-customer-id')],
    ['given another link id', (u: URL) => u.searchParams.set('x-link-id', 'Lk_other')],
  ])('refuses a link %s: 403', async (_, tamper) => {
    const url = new URL(await acmeGet());
    tamper(url);
    const response = await fetch(url);
    await response.text();
    expect(response.status).toBe(403);
  });

  it('lets a PUT link upload only the signed content type and length', async () => {
    const body = 'id,amount\n1,42\n';
    const url = await signer.signPut({
      bucket: CONTENT,
      key: 'uploads/globex/data.csv',
      customerId: 'globex',
      linkId: 'Lk_globex1',
      expiresIn: 300,
      contentType: 'text/csv',
      contentLength: Buffer.byteLength(body),
    });
    const wrongType = await fetch(url, {
      method: 'PUT',
      body,
      headers: { 'content-type': 'text/html' },
    });
    await wrongType.text();
    expect(wrongType.status).toBe(403);
    const longer = await fetch(url, {
      method: 'PUT',
      body: `${body}2,1\n`,
      headers: { 'content-type': 'text/csv' },
    });
    await longer.text();
    expect(longer.status).toBe(403);
    const ok = await fetch(url, { method: 'PUT', body, headers: { 'content-type': 'text/csv' } });
    expect(ok.status).toBe(200);
    const stored = await s3.send(
      new GetObjectCommand({ Bucket: CONTENT, Key: 'uploads/globex/data.csv' }),
    );
    expect(await stored.Body?.transformToString()).toBe(body);
  });
});

describe('from tracked links to totals', () => {
  it('meters exactly the bytes each customer received and sent, through the access logs', async () => {
    await stack.s3.deliverLogs(); // start from an empty queue
    let acmeReceived = 0;
    for (const range of [undefined, 'bytes=0-999', 'bytes=1000-50999']) {
      const response = await fetch(await acmeGet(), range ? { headers: { range } } : {});
      acmeReceived += (await response.arrayBuffer()).byteLength;
    }
    const tampered = new URL(await acmeGet());
    tampered.searchParams.set('x-extra', '1');
    await (await fetch(tampered)).text();
    const upload = 'x'.repeat(12_345);
    const putUrl = await signer.signPut({
      bucket: CONTENT,
      key: 'uploads/globex/big.bin',
      customerId: 'globex',
      linkId: 'Lk_globex2',
      expiresIn: 300,
      contentLength: upload.length,
    });
    expect((await fetch(putUrl, { method: 'PUT', body: upload })).status).toBe(200);
    const form = await signer.signPost({
      bucket: CONTENT,
      key: 'uploads/globex/form.bin',
      customerId: 'globex',
      linkId: 'Lk_globex3',
      expiresIn: 300,
      maxBytes: 1000,
    });
    const postForm = (size: number) => {
      const body = new FormData();
      for (const [name, value] of Object.entries(form.fields)) body.append(name, value);
      body.append('file', new Blob([Buffer.alloc(size)]), 'form.bin');
      return fetch(form.url, { method: 'POST', body });
    };
    expect((await postForm(777)).status).toBe(204);
    expect((await postForm(1001)).status).toBe(400);

    const usage = new UsageAggregator(
      createAttributionRules({
        signers: stack.signers,
        customers: [
          { customerId: 'acme', uploadPrefix: 'uploads/acme/' },
          { customerId: 'globex', uploadPrefix: 'uploads/globex/' },
        ],
      }),
    );
    for (const key of await stack.s3.deliverLogs()) {
      const object = await s3.send(new GetObjectCommand({ Bucket: LOGS, Key: key }));
      for await (const line of readLines(object.Body as AsyncIterable<Uint8Array>)) usage.add(line);
    }
    const totals = await usage.totals();
    expect(acmeReceived).toBe(BODY.length + 1000 + 50_000);
    expect(usage.rejected).toBe(0);
    expect(totals.customers.get('acme')).toEqual({
      downloadBytes: acmeReceived,
      downloadRequests: 3,
      uploadBytes: 0,
      uploadRequests: 0,
      errorRequests: 0,
      otherRequests: 0,
    });
    // The tampered link failed authentication: nobody's error, least of all acme's.
    expect(totals.untracked.get('auth-failed')?.errorRequests).toBe(1);
    // The form upload carries no query string: it is billed by its key's upload prefix.
    expect(totals.customers.get('globex')).toEqual({
      downloadBytes: 0,
      downloadRequests: 0,
      uploadBytes: upload.length + 777,
      uploadRequests: 2,
      errorRequests: 1,
      otherRequests: 0,
    });
    const links = await collect(usage.linkUsage());
    expect(links.find((l) => l.linkId === 'Lk_acme1')?.counters.downloadBytes).toBe(acmeReceived);
    usage.discard();
  });
});
