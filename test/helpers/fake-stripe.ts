import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The Stripe endpoints the export uses, in process on 127.0.0.1, with the rules Stripe
 * documents for them (the SDK reaches it through its own `host`/`port`/`protocol` options):
 *
 * - meter events: a meter must exist for the event name; the value a whole number; the
 *   timestamp within the past 35 days (or 5 minutes ahead); an identifier of at most 100
 *   characters, unique for 24 hours (else 400 "An event already exists with identifier …"
 *   and `stripe-should-retry: false`); one call at a time per customer and meter (else 429);
 * - a meter with `event_time_window: day` keeps a customer's latest event of each UTC day
 *   and sums the days; a meter without one sums every event;
 * - a POST repeated with the same `Idempotency-Key` gets the first answer again.
 */
export class FakeStripe {
  readonly meters: FakeMeter[] = [];
  /** Every meter event accepted, in order. */
  readonly events: FakeMeterEvent[] = [];
  /** Every refusal, for tests to read: status and message. */
  readonly refusals: Array<{ status: number; message: string }> = [];
  /** Meter event calls received, accepted or not. */
  meterEventCalls = 0;
  /** The fake's clock; tests move it forward. */
  now: () => Date;
  readonly #holdMs: number;
  readonly #inFlight = new Set<string>();
  readonly #replies = new Map<string, { status: number; body: unknown; headers: Headers }>();
  #server: ReturnType<typeof createServer> | undefined;
  #port = 0;

  private constructor(options: FakeStripeOptions) {
    this.now = options.now ?? (() => new Date());
    this.#holdMs = options.holdMs ?? 5;
  }

  static async start(options: FakeStripeOptions = {}): Promise<FakeStripe> {
    const fake = new FakeStripe(options);
    const server = createServer((req, res) => void fake.#serve(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake.#server = server;
    fake.#port = (server.address() as AddressInfo).port;
    return fake;
  }

  /** The base URL, for `STRIPE_API_BASE`. */
  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** The options that point the `stripe` SDK here. */
  get sdkOptions(): { host: string; port: number; protocol: 'http' } {
    return { host: '127.0.0.1', port: this.#port, protocol: 'http' };
  }

  /**
   * What the meter bills a customer per UTC day (`yyyy-mm-dd` → value), as Stripe aggregates
   * it: the latest event of each day for a daily meter, the sum for a raw one.
   */
  dailyValues(eventName: string, stripeCustomerId: string): Map<string, number> {
    const meter = this.meters.find((m) => m.event_name === eventName);
    const days = new Map<string, number>();
    for (const event of this.events) {
      if (event.event_name !== eventName || event.payload.stripe_customer_id !== stripeCustomerId) {
        continue;
      }
      const day = new Date(event.timestamp * 1000).toISOString().slice(0, 10);
      const value = Number(event.payload.value);
      days.set(day, meter?.event_time_window === 'day' ? value : (days.get(day) ?? 0) + value);
    }
    return days;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async #serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams(await readBody(req));
    const reply = (status: number, body: unknown, headers: Headers = {}) => {
      if (status >= 400) {
        this.refusals.push({
          status,
          message: (body as { error: { message: string } }).error.message,
        });
      }
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (!/^Bearer sk_(test|live)_\S+$/.test(req.headers.authorization ?? '')) {
      reply(401, stripeError('Invalid API Key provided'));
      return;
    }
    const key = req.method === 'POST' ? req.headers['idempotency-key'] : undefined;
    const replayed = typeof key === 'string' ? this.#replies.get(key) : undefined;
    if (replayed !== undefined) {
      reply(replayed.status, replayed.body, { ...replayed.headers, 'idempotent-replayed': 'true' });
      return;
    }
    const route = `${req.method ?? ''} ${(req.url ?? '').split('?')[0] ?? ''}`;
    const answer =
      route === 'POST /v1/billing/meter_events'
        ? await this.#meterEvent(form)
        : route === 'POST /v1/billing/meters'
          ? this.#createMeter(form)
          : route === 'GET /v1/billing/meters'
            ? { status: 200, body: { object: 'list', data: this.meters, has_more: false } }
            : { status: 404, body: stripeError(`Unrecognized request URL (${route})`) };
    if (typeof key === 'string') this.#replies.set(key, { headers: {}, ...answer });
    reply(answer.status, answer.body, answer.headers);
  }

  async #meterEvent(form: URLSearchParams): Promise<Answer> {
    this.meterEventCalls++;
    const eventName = form.get('event_name') ?? '';
    const customer = form.get('payload[stripe_customer_id]') ?? '';
    const value = form.get('payload[value]') ?? '';
    const identifier = form.get('identifier') ?? `fake_${this.events.length}`;
    const timestamp = Number(form.get('timestamp') ?? Math.floor(this.now().getTime() / 1000));
    const now = this.now().getTime() / 1000;
    if (!this.meters.some((m) => m.event_name === eventName)) {
      return invalid(`No active meter was found for event_name ${eventName}.`);
    }
    if (!/^cus_\w+$/.test(customer)) return invalid('payload[stripe_customer_id] is required.');
    if (!/^\d+$/.test(value)) return invalid(`payload[value] must be a whole number: ${value}.`);
    if (identifier.length > 100) return invalid('identifier must be at most 100 characters.');
    if (!(timestamp >= now - 35 * 86_400 && timestamp <= now + 300)) {
      return invalid(
        'timestamp must be within the past 35 calendar days or up to 5 minutes in the future.',
      );
    }
    const seen = this.events.find(
      (event) => event.identifier === identifier && event.created > now - 86_400,
    );
    if (seen !== undefined) {
      return {
        ...invalid(`An event already exists with identifier ${identifier}.`),
        headers: { 'stripe-should-retry': 'false' },
      };
    }
    const lane = `${eventName} ${customer}`;
    if (this.#inFlight.has(lane)) {
      return {
        status: 429,
        body: stripeError(
          'Only one concurrent meter event call is allowed per customer and meter.',
          'rate_limit',
        ),
      };
    }
    this.#inFlight.add(lane);
    try {
      await new Promise((resolve) => setTimeout(resolve, this.#holdMs));
      const event: FakeMeterEvent = {
        object: 'billing.meter_event',
        created: Math.floor(now),
        event_name: eventName,
        identifier,
        livemode: false,
        payload: { stripe_customer_id: customer, value },
        timestamp,
      };
      this.events.push(event);
      return { status: 200, body: event };
    } finally {
      this.#inFlight.delete(lane);
    }
  }

  #createMeter(form: URLSearchParams): Answer {
    const eventName = form.get('event_name') ?? '';
    const formula = form.get('default_aggregation[formula]') ?? '';
    const window = form.get('event_time_window');
    if (eventName === '' || !['sum', 'count', 'last'].includes(formula)) {
      return invalid('event_name and default_aggregation[formula] are required.');
    }
    if (window !== null && window !== 'day' && window !== 'hour') {
      return invalid(`Invalid event_time_window: ${window}.`);
    }
    if (this.meters.some((m) => m.event_name === eventName)) {
      return invalid(`A meter with event_name ${eventName} already exists.`);
    }
    const meter: FakeMeter = {
      id: `mtr_test_${this.meters.length + 1}`,
      object: 'billing.meter',
      display_name: form.get('display_name') ?? eventName,
      event_name: eventName,
      event_time_window: window,
      default_aggregation: { formula },
      customer_mapping: {
        type: 'by_id',
        event_payload_key: form.get('customer_mapping[event_payload_key]') ?? 'stripe_customer_id',
      },
      value_settings: {
        event_payload_key: form.get('value_settings[event_payload_key]') ?? 'value',
      },
      status: 'active',
    };
    this.meters.push(meter);
    return { status: 200, body: meter };
  }
}

export interface FakeStripeOptions {
  now?: () => Date;
  /** How long each meter event call takes, so that overlapping calls can be seen. */
  holdMs?: number;
}

export interface FakeMeter {
  id: string;
  object: 'billing.meter';
  display_name: string;
  event_name: string;
  event_time_window: 'day' | 'hour' | null;
  default_aggregation: { formula: string };
  customer_mapping: { type: 'by_id'; event_payload_key: string };
  value_settings: { event_payload_key: string };
  status: 'active';
}

export interface FakeMeterEvent {
  object: 'billing.meter_event';
  created: number;
  event_name: string;
  identifier: string;
  livemode: false;
  payload: { stripe_customer_id: string; value: string };
  timestamp: number;
}

type Headers = Record<string, string>;
interface Answer {
  status: number;
  body: unknown;
  headers?: Headers;
}

function stripeError(message: string, code?: string) {
  return { error: { type: 'invalid_request_error', message, ...(code ? { code } : {}) } };
}

function invalid(message: string): Answer {
  return { status: 400, body: stripeError(message) };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
