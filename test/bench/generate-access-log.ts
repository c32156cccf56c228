import { createWriteStream, existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { once } from 'node:events';
import { type AccessLogRecord, formatAccessLogRecord } from '../../shared/access-log/index.ts';
import { makeRecord, presignedUri } from '../helpers/records.ts';

/** A small seeded PRNG (mulberry32), so every run benchmarks the same file. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const USER_AGENTS = [
  'curl/8.5.0',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'aws-sdk-js/3.700.0 ua/2.1 os/linux#6.1 lang/js md/nodejs#22.11.0 api/s3#3.700.0',
  'Boto3/1.35.0 md/Botocore#1.35.0 ua/2.0 os/linux#6.1 md/arch#x86_64 lang/python#3.12.7',
  'Wget/1.21.4',
  'python-requests/2.32.3',
];

/**
 * One realistic record: mostly presigned downloads with x-customer-id, and uploads, HEADs,
 * errors and untracked requests; one in a thousand has a User-Agent that starts with a raw
 * quote, as real logs do (an AWS-Athena-regex breaker).
 */
function makeBenchRecord(next: () => number, index: number): AccessLogRecord {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  // 500 customers with 20 links each: a link is used many times, as in real traffic.
  const customerNumber = Math.floor(next() * 500);
  const customer = `cust-${String(customerNumber).padStart(4, '0')}`;
  const link = `L${customerNumber}x${Math.floor(next() * 20)}`;
  const key = `data/${customer}/file-${Math.floor(next() * 1e6)}.bin`;
  const path = `/usage-meter-content/${key}`;
  const size = Math.floor(next() * 50_000_000) + 1;
  const time = new Date(Date.UTC(2026, 10, 1) + Math.floor(next() * 30 * 86_400_000));
  const roll = next();
  const userAgent = index % 1000 === 999 ? `"${pick(USER_AGENTS)}` : pick(USER_AGENTS);
  const base = {
    time: `${time.toISOString().slice(0, 19)}Z`,
    key,
    requestId: Math.floor(next() * 2 ** 52)
      .toString(16)
      .toUpperCase()
      .padStart(16, '0'),
    userAgent,
    totalTime: Math.floor(next() * 2000),
    turnAroundTime: Math.floor(next() * 50),
  };
  if (roll < 0.55)
    return makeRecord({
      ...base,
      bytesSent: size,
      objectSize: size,
      requestUri: presignedUri('GET', path, customer, link),
    });
  if (roll < 0.65) {
    const sent = Math.floor(size / 8);
    return makeRecord({
      ...base,
      httpStatus: 206,
      bytesSent: sent,
      objectSize: size,
      requestUri: presignedUri('GET', path, customer, link),
    });
  }
  if (roll < 0.7)
    return makeRecord({
      ...base,
      httpStatus: 403,
      errorCode: 'AccessDenied',
      bytesSent: 243,
      objectSize: null,
      requestUri: presignedUri('GET', path, customer, link),
    });
  if (roll < 0.73)
    return makeRecord({
      ...base,
      httpStatus: 404,
      errorCode: 'NoSuchKey',
      bytesSent: 290,
      objectSize: null,
      requestUri: presignedUri('GET', path, customer, link),
    });
  if (roll < 0.8)
    return makeRecord({
      ...base,
      operation: 'REST.HEAD.OBJECT',
      bytesSent: null,
      objectSize: size,
      requestUri: presignedUri('HEAD', path, customer, link),
    });
  if (roll < 0.88)
    return makeRecord({
      ...base,
      operation: 'REST.PUT.OBJECT',
      bytesSent: null,
      objectSize: size,
      requestUri: presignedUri('PUT', path, customer, link),
    });
  if (roll < 0.9)
    return makeRecord({
      ...base,
      operation: 'REST.PUT.PART',
      bytesSent: null,
      objectSize: 8_388_608,
      requestUri: presignedUri('PUT', `${path}?partNumber=2&uploadId=abc`, customer, link),
    });
  if (roll < 0.92)
    return makeRecord({
      ...base,
      httpStatus: 304,
      bytesSent: null,
      objectSize: size,
      requestUri: presignedUri('GET', path, customer, link),
    });
  // Untracked: console and SDK requests signed in the Authorization header.
  return makeRecord({
    ...base,
    operation: 'REST.GET.BUCKET',
    key: null,
    bytesSent: 4000,
    objectSize: null,
    authType: 'AuthHeader',
    requester: 'arn:aws:iam::123456789012:user/ops',
    requestUri: 'GET /usage-meter-content?list-type=2&prefix=data%2F HTTP/1.1',
  });
}

/** Writes (once) a generated access log of at least `bytes` bytes and returns its path. */
export async function ensureBenchLog(path: string, bytes: number): Promise<string> {
  if (existsSync(path) && statSync(path).size >= bytes) return path;
  await mkdir(dirname(path), { recursive: true });
  const out = createWriteStream(path);
  const next = random(20261122);
  let written = 0;
  let batch: string[] = [];
  for (let i = 0; written < bytes; i++) {
    const line = `${formatAccessLogRecord(makeBenchRecord(next, i))}\n`;
    written += Buffer.byteLength(line);
    batch.push(line);
    if (batch.length === 2000) {
      if (!out.write(batch.join(''))) await once(out, 'drain');
      batch = [];
    }
  }
  out.end(batch.join(''));
  await once(out, 'finish');
  return path;
}
