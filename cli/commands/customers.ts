import { DynamoDbCustomerStore } from '../../shared/customers/dynamodb-customer-store.ts';
import {
  type Customer,
  findUploadPrefixConflict,
  type NewCustomer,
  validateNewCustomer,
  WHOLE_BUCKET,
} from '../../shared/customers/customer.ts';
import type { CustomerStore } from '../../shared/customers/customer-store.ts';
import { ConflictError, NotFoundError } from '../../shared/errors.ts';
import { parseByteSize } from '../byte-size.ts';
import { type Command, parseCommandArgs, UsageError } from '../command.ts';
import { formatTable } from '../format-table.ts';
import { openTarget, TARGET_OPTIONS, TARGET_USAGE } from '../target.ts';

const USAGE = `Usage:
  usage-meter customers create <customerId> [--name <name>] [--prefix <folder/>]… [--whole-bucket] [--upload-prefix <folder/>] [--budget <size>] [--stripe-customer <cus_…>] [--json]
  usage-meter customers update <customerId> [--name <name>] [--prefix <folder/>]… [--whole-bucket] [--upload-prefix <folder/>] [--budget <size>|none] [--stripe-customer <cus_…>|none] [--json]
  usage-meter customers list [--json]
  usage-meter customers disable <customerId> [--json]

create   a customer; --prefix (repeatable) is a folder of the content bucket it may get
         download links for (it ends with /); --whole-bucket lets it download anything;
         uploads go under --upload-prefix (default uploads/<id>/), where it may also
         download. Two customers' upload folders never nest: form uploads are billed by it.
         --budget caps the bytes (downloaded plus uploaded) a UTC month may meter before
         new links are refused: 500GB, 1.5TiB, or bytes. A soft limit: metering runs
         minutes to hours behind the requests, and links already issued keep working.
         --stripe-customer is its customer in Stripe, for 'usage-meter export stripe'.
update   change a customer's name, prefixes, budget or Stripe customer: --prefix and
         --whole-bucket replace its download prefixes, none removes a budget or a Stripe
         customer, the options left out keep their values
list     every customer
disable  stop every key of a customer at once (links already issued run until they expire)

${TARGET_USAGE}`;

export const customersCommand: Command = {
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs({
      args,
      options: {
        ...TARGET_OPTIONS,
        name: { type: 'string' },
        prefix: { type: 'string', multiple: true },
        'whole-bucket': { type: 'boolean' },
        'upload-prefix': { type: 'string' },
        budget: { type: 'string' },
        'stripe-customer': { type: 'string' },
        json: { type: 'boolean', default: false },
      },
      allowPositionals: true,
    });
    const [action, customerId, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
    const target = openTarget(values, process.env, (line) => io.stderr.write(line));
    try {
      const store = new DynamoDbCustomerStore(target.documents, target.tableName());
      const now = new Date();
      // list prints an array; the others print the one customer they wrote.
      const print = (customers: readonly Customer[], one: boolean) =>
        io.stdout.write(
          values.json
            ? `${JSON.stringify(one ? customers[0] : customers, null, 2)}\n`
            : formatCustomers(customers),
        );
      if (action === 'list') {
        print(await store.listCustomers(), false);
        return 0;
      }
      if (customerId === undefined)
        throw new UsageError(`customers ${action ?? ''}: which customer?`);
      if (action === 'create') {
        const customer = validateNewCustomer({
          customerId,
          name: values.name,
          keyPrefixes: values.prefix,
          wholeBucket: values['whole-bucket'],
          uploadPrefix: values['upload-prefix'],
          monthlyByteBudget: readBudget(values.budget, false),
          stripeCustomerId: values['stripe-customer'],
        });
        await refuseNestedUploads(store, customer);
        print([await store.createCustomer(customer, now)], true);
        return 0;
      }
      if (action === 'update') {
        const current = await store.getCustomer(customerId);
        if (current === undefined) throw new NotFoundError(`no customer ${customerId}`);
        const replacesDownloads =
          values.prefix !== undefined || values['whole-bucket'] !== undefined;
        const customer = validateNewCustomer({
          customerId,
          name: values.name ?? current.name,
          keyPrefixes: replacesDownloads
            ? (values.prefix ?? [])
            : current.keyPrefixes.filter((p) => p !== WHOLE_BUCKET),
          wholeBucket: replacesDownloads
            ? values['whole-bucket']
            : current.keyPrefixes.includes(WHOLE_BUCKET),
          uploadPrefix: values['upload-prefix'] ?? current.uploadPrefix,
          monthlyByteBudget:
            values.budget === undefined
              ? current.monthlyByteBudget
              : readBudget(values.budget, true),
          stripeCustomerId:
            values['stripe-customer'] === undefined
              ? current.stripeCustomerId
              : values['stripe-customer'] === 'none'
                ? undefined
                : values['stripe-customer'],
        });
        if (customer.uploadPrefix !== current.uploadPrefix) {
          await refuseNestedUploads(store, customer);
        }
        print([await store.updateCustomer(customer)], true);
        return 0;
      }
      if (action === 'disable') {
        print([await store.disableCustomer(customerId, now)], true);
        return 0;
      }
      throw new UsageError(`unknown action '${action ?? ''}': create, update, list or disable`);
    } finally {
      target.close();
    }
  },
};

/** `--budget <size>` in bytes; `none` (when removing is allowed) for no budget. */
function readBudget(text: string | undefined, noneAllowed: boolean): number | undefined {
  if (text === undefined || (noneAllowed && text === 'none')) return undefined;
  const bytes = parseByteSize(text);
  if (bytes === undefined || bytes === 0) {
    throw new UsageError(
      `--budget must be a size such as 500GB, 1.5TiB or a number of bytes${
        noneAllowed ? ', or none' : ''
      }; got '${text}'`,
    );
  }
  return bytes;
}

/** Refuses an upload prefix that nests with another customer's (see findUploadPrefixConflict). */
async function refuseNestedUploads(store: CustomerStore, customer: NewCustomer): Promise<void> {
  const other = findUploadPrefixConflict(customer, await store.listCustomers());
  if (other !== undefined) {
    throw new ConflictError(
      `upload prefix ${customer.uploadPrefix} overlaps ${other.uploadPrefix} of customer ${other.customerId}: form uploads there could not be told apart`,
    );
  }
}

function formatCustomers(customers: readonly Customer[]): string {
  const rows = customers.map((c) => [
    c.customerId,
    c.status,
    c.uploadPrefix,
    c.keyPrefixes.map((p) => (p === WHOLE_BUCKET ? '(whole bucket)' : p)).join(' ') || '-',
    c.monthlyByteBudget === undefined ? '-' : `${c.monthlyByteBudget} B`,
    c.name,
  ]);
  return formatTable(
    ['CUSTOMER', 'STATUS', 'UPLOADS', 'MAY DOWNLOAD', 'MONTHLY BUDGET', 'NAME'],
    rows,
  );
}
