import { DynamoDbCustomerStore } from '../../shared/customers/dynamodb-customer-store.ts';
import { type Customer, validateNewCustomer } from '../../shared/customers/customer.ts';
import { type Command, parseCommandArgs, UsageError } from '../command.ts';
import { formatTable } from '../format-table.ts';
import { openTarget, TARGET_OPTIONS, TARGET_USAGE } from '../target.ts';

const USAGE = `Usage:
  usage-meter customers create <customerId> [--name <name>] [--prefix <p>]… [--upload-prefix <p>]
  usage-meter customers list [--json]
  usage-meter customers disable <customerId>

create   a customer; --prefix (repeatable) is a key prefix of the content bucket it may
         get download links for; uploads go under --upload-prefix (default uploads/<id>/),
         where it may also download
list     every customer
disable  stop every key of a customer at once (links already issued run until they expire)

${TARGET_USAGE}`;

export const customersCommand: Command = {
  name: 'customers',
  summary: 'create, list and disable customers',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs({
      args,
      options: {
        ...TARGET_OPTIONS,
        name: { type: 'string' },
        prefix: { type: 'string', multiple: true },
        'upload-prefix': { type: 'string' },
        json: { type: 'boolean', default: false },
      },
      allowPositionals: true,
    });
    const [action, customerId, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
    const target = openTarget(values, process.env);
    try {
      const store = new DynamoDbCustomerStore(target.documents, target.tableName());
      const now = new Date();
      if (action === 'list') {
        const customers = await store.listCustomers();
        io.stdout.write(
          values.json ? `${JSON.stringify(customers, null, 2)}\n` : formatCustomers(customers),
        );
        return 0;
      }
      if (customerId === undefined)
        throw new UsageError(`customers ${action ?? ''}: which customer?`);
      if (action === 'create') {
        const customer = await store.createCustomer(
          validateNewCustomer({
            customerId,
            name: values.name,
            keyPrefixes: values.prefix,
            uploadPrefix: values['upload-prefix'],
          }),
          now,
        );
        io.stdout.write(formatCustomers([customer]));
        return 0;
      }
      if (action === 'disable') {
        io.stdout.write(formatCustomers([await store.disableCustomer(customerId, now)]));
        return 0;
      }
      throw new UsageError(`unknown action '${action ?? ''}': create, list or disable`);
    } finally {
      target.close();
    }
  },
};

function formatCustomers(customers: readonly Customer[]): string {
  const rows = customers.map((c) => [
    c.customerId,
    c.status,
    c.uploadPrefix,
    c.keyPrefixes.map((p) => (p === '' ? '(whole bucket)' : p)).join(' ') || '-',
    c.name,
  ]);
  return formatTable(['CUSTOMER', 'STATUS', 'UPLOADS', 'MAY DOWNLOAD', 'NAME'], rows);
}
