import { createWriteStream, existsSync, renameSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { once } from 'node:events';
import { type AccessLogRecord, formatAccessLogRecord } from '../../shared/access-log/index.ts';
import { makeRecord } from '../helpers/records.ts';

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
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  'aws-sdk-js/3.700.0 ua/2.1 os/linux#6.1 lang/js md/nodejs#22.11.0 api/s3#3.700.0',
  'Boto3/1.35.0 md/Botocore#1.35.0 ua/2.0 os/linux#6.1 md/arch#x86_64 lang/python#3.12.7',
  'Wget/1.21.4',
  'python-requests/2.32.3',
  'okhttp/4.12.0',
];
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const HEX = '0123456789abcdef';
const CUSTOMERS = 2000;

/**
 * Writes generated access-log lines that look like a busy deployment's presigned traffic:
 * URLs signed by the Lambda's role (with its session token, as S3 logs them), link ids
 * mostly fresh (hundreds of thousands per file), one customer taking 30% of requests, range
 * downloads, uploads, HEADs, ~5% errors and ~10% requests that are not presigned.
 */
class TrafficGenerator {
  readonly #next = random(20261122);
  readonly #tokens: string[];
  readonly #recentLinks = new Map<number, string[]>();
  #time = Date.UTC(2026, 10, 1);

  constructor() {
    // A Lambda's credentials change every few hours: a few session tokens in turn.
    this.#tokens = Array.from({ length: 8 }, () =>
      encodeURIComponent(`IQoJb3JpZ2luX2Vj${this.#chars(BASE64, 560)}`),
    );
  }

  #chars(alphabet: string, count: number): string {
    let text = '';
    for (let i = 0; i < count; i++) text += alphabet[Math.floor(this.#next() * alphabet.length)];
    return text;
  }

  #pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.#next() * items.length)] as T;
  }

  #link(customer: number): string {
    // Three in four requests use a link of their own; the rest reuse one of the customer's.
    let recent = this.#recentLinks.get(customer);
    if (recent === undefined) {
      recent = [];
      this.#recentLinks.set(customer, recent);
    }
    if (recent.length > 0 && this.#next() < 0.25) return this.#pick(recent);
    const link = this.#chars(BASE64URL, 22);
    if (recent.length < 20) recent.push(link);
    else recent[Math.floor(this.#next() * 20)] = link;
    return link;
  }

  #presigned(method: string, path: string, customer: string, link: string, extra = ''): string {
    const date = new Date(this.#time).toISOString().replace(/[-:]/g, '').slice(0, 15);
    const query = [
      extra,
      'X-Amz-Algorithm=AWS4-HMAC-SHA256',
      'X-Amz-Content-Sha256=UNSIGNED-PAYLOAD',
      `X-Amz-Credential=ASIA${this.#chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}%2F${date.slice(0, 8)}%2Fus-east-1%2Fs3%2Faws4_request`,
      `X-Amz-Date=${date}Z`,
      'X-Amz-Expires=900',
      `X-Amz-Security-Token=${this.#pick(this.#tokens)}`,
      `X-Amz-Signature=${this.#chars(HEX, 64)}`,
      'X-Amz-SignedHeaders=host',
      `x-customer-id=${customer}`,
      `x-id=${method === 'PUT' ? 'PutObject' : 'GetObject'}`,
      `x-link-id=${link}`,
    ]
      .filter((p) => p !== '')
      .join('&');
    return `${method} ${path}?${query} HTTP/1.1`;
  }

  record(): AccessLogRecord {
    this.#time += Math.floor(this.#next() * 40);
    const next = () => this.#next();
    const customerNumber = next() < 0.3 ? 0 : Math.floor(next() * CUSTOMERS);
    const customer = `cust-${String(customerNumber).padStart(4, '0')}`;
    const key = `data/${customer}/${this.#chars(BASE64URL, 10)}/report-${Math.floor(next() * 1e6)}.pdf`;
    const path = `/usage-meter-content/${encodeURI(key)}`;
    const size = Math.floor(next() * 50_000_000) + 1;
    // Signed by the link API role's session, as makeRecord's; the rest of this request's own.
    const base = makeRecord({
      time: `${new Date(this.#time).toISOString().slice(0, 19)}Z`,
      remoteIp: `${Math.floor(next() * 223) + 1}.${Math.floor(next() * 255)}.${Math.floor(next() * 255)}.${Math.floor(next() * 255)}`,
      requestId: this.#chars('0123456789ABCDEF', 16),
      key,
      requestUri: null,
      bytesSent: size,
      objectSize: size,
      totalTime: Math.floor(next() * 2000),
      turnAroundTime: Math.floor(next() * 50),
      referrer: next() < 0.3 ? 'https://app.example.com/files' : null,
      userAgent: this.#pick(USER_AGENTS),
      hostId: `${this.#chars(BASE64, 76)}=`,
      sourceRegion: null,
    });
    const roll = next();
    if (roll < 0.1) {
      // Not presigned: the operators' and services' own SDK calls.
      return {
        ...base,
        requester: 'arn:aws:sts::123456789012:assumed-role/data-pipeline/i-0abc123',
        operation: this.#pick(['REST.GET.OBJECT', 'REST.PUT.OBJECT', 'REST.GET.BUCKET']),
        requestUri: `GET ${path}?x-id=GetObject HTTP/1.1`,
        authType: 'AuthHeader',
      };
    }
    const link = this.#link(customerNumber);
    if (roll < 0.15) {
      const [httpStatus, errorCode, bytesSent] = this.#pick([
        [403, 'AccessDenied', 243],
        [403, 'SignatureDoesNotMatch', 1024],
        [404, 'NoSuchKey', 290],
        [503, 'SlowDown', 310],
      ] as const);
      return {
        ...base,
        httpStatus,
        errorCode,
        bytesSent,
        objectSize: null,
        requestUri: this.#presigned('GET', path, customer, link),
        ...(errorCode === 'SignatureDoesNotMatch' ? { requester: null } : {}),
      };
    }
    if (roll < 0.3) {
      return {
        ...base,
        httpStatus: 206,
        bytesSent: Math.min(size, 8_388_608),
        requestUri: this.#presigned('GET', path, customer, link),
      };
    }
    if (roll < 0.36) {
      return {
        ...base,
        operation: 'REST.HEAD.OBJECT',
        bytesSent: null,
        requestUri: this.#presigned('HEAD', path, customer, link),
      };
    }
    if (roll < 0.44) {
      return {
        ...base,
        operation: 'REST.PUT.OBJECT',
        bytesSent: null,
        requestUri: this.#presigned('PUT', path, customer, link),
      };
    }
    return { ...base, requestUri: this.#presigned('GET', path, customer, link) };
  }
}

/**
 * Writes (once) a generated access log of at least `bytes` bytes and returns its path:
 * written under a temporary name first, so an interrupted run never leaves a short file.
 */
export async function ensureBenchLog(path: string, bytes: number): Promise<string> {
  if (existsSync(path) && statSync(path).size >= bytes) return path;
  await mkdir(dirname(path), { recursive: true });
  const partial = `${path}.partial`;
  const out = createWriteStream(partial);
  const traffic = new TrafficGenerator();
  let written = 0;
  let batch: string[] = [];
  while (written < bytes) {
    const line = `${formatAccessLogRecord(traffic.record())}\n`;
    written += Buffer.byteLength(line);
    batch.push(line);
    if (batch.length === 2000) {
      if (!out.write(batch.join(''))) await once(out, 'drain');
      batch = [];
    }
  }
  out.end(batch.join(''));
  await once(out, 'finish');
  renameSync(partial, path);
  return path;
}
