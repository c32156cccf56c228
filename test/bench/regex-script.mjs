// The script a user would write instead of usage-meter aggregate: stream the lines with
// readline, match AWS's published Athena regex for S3 access logs, and sum Bytes Sent of
// 200/206 REST.GET.OBJECT requests per x-customer-id. Standalone on purpose: it shares no
// code with the project, so the benchmark compares the project with the job done without it.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

const ATHENA =
  /^([^ ]*) ([^ ]*) \[(.*?)\] ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ("[^"]*"|-) (-|[0-9]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ("[^"]*"|-) ([^ ]*)(?: ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*))?.*$/;
const CUSTOMER = /[?&]x-customer-id=([^& ]*)/;

const bytes = new Map();
let lines = 0;
let unmatched = 0;
for (const file of process.argv.slice(2)) {
  const input = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of input) {
    lines++;
    const m = ATHENA.exec(line);
    if (m === null) {
      unmatched++;
      continue;
    }
    if (m[7] !== 'REST.GET.OBJECT' || (m[10] !== '200' && m[10] !== '206')) continue;
    const customer = CUSTOMER.exec(m[9])?.[1];
    if (customer === undefined) continue;
    bytes.set(customer, (bytes.get(customer) ?? 0) + Number(m[12]));
  }
}
console.log(JSON.stringify({ lines, unmatched, downloadBytes: Object.fromEntries(bytes) }));
