import type { Resource, Template } from './serverless-package.ts';

/** What rendered ARNs stand for: CloudFormation fills these in at deploy time. */
export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

/** Evaluates one of the template's conditions: Equals on literals, Not, Or and Condition. */
export function condition(template: Template, name: string): boolean {
  const evaluate = (value: unknown): boolean => {
    const [fn, args] = Object.entries(value as Record<string, unknown[]>)[0]!;
    if (fn === 'Fn::Equals') return args[0] === args[1];
    if (fn === 'Fn::Not') return !evaluate(args[0]);
    if (fn === 'Fn::Or') return args.some(evaluate);
    if (fn === 'Condition') return condition(template, String(args));
    throw new Error(`unexpected ${fn} in condition ${name}`);
  };
  return evaluate(template.Conditions?.[name]);
}

/**
 * A value as deployed, with conditions decided and references written out: `Ref:X`,
 * `GetAtt:X.Arn`, `Fn::Sub` strings filled in with the account and region above, and
 * `Fn::Join` joined.
 */
export function render(template: Template, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => render(template, v));
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value);
  const [fn, args] = entries[0] ?? [];
  if (entries.length === 1 && fn === 'Ref') return `Ref:${String(args)}`;
  if (entries.length === 1 && fn === 'Fn::GetAtt') return `GetAtt:${(args as string[]).join('.')}`;
  if (entries.length === 1 && fn === 'Fn::If') {
    const [name, then, otherwise] = args as [string, unknown, unknown];
    return render(template, condition(template, name) ? then : otherwise);
  }
  if (entries.length === 1 && fn === 'Fn::Join') {
    const [separator, parts] = args as [string, unknown[]];
    return parts.map((part) => render(template, part)).join(separator);
  }
  if (entries.length === 1 && fn === 'Fn::Sub') {
    return (args as string).replace(/\$\{([^}]+)\}/g, (_, name: string) => {
      const pseudo: Record<string, string> = {
        'AWS::AccountId': ACCOUNT,
        'AWS::Region': REGION,
        'AWS::Partition': 'aws',
      };
      return pseudo[name] ?? (name.includes('.') ? `GetAtt:${name}` : `Ref:${name}`);
    });
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, render(template, v)]));
}

/** The resources that will exist: those whose condition holds. */
export function resources(template: Template): Record<string, Resource> {
  return Object.fromEntries(
    Object.entries(template.Resources)
      .filter(([, r]) => r.Condition === undefined || condition(template, r.Condition))
      .map(([id, r]) => [id, { ...r, Properties: render(template, r.Properties) as never }]),
  );
}

export function resource(template: Template, id: string): Resource {
  const found = resources(template)[id];
  if (found === undefined) throw new Error(`${id} is not in the deployed stack`);
  return found;
}

export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: unknown;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

export const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Every statement of every policy in the stack: roles' trust and inline policies, bucket policies. */
export function statements(template: Template): { owner: string; statement: Statement }[] {
  const found: { owner: string; statement: Statement }[] = [];
  for (const [id, r] of Object.entries(resources(template))) {
    const documents: unknown[] = [];
    if (r.Type === 'AWS::IAM::Role') {
      documents.push(r.Properties.AssumeRolePolicyDocument);
      for (const policy of (r.Properties.Policies ?? []) as { PolicyDocument: unknown }[]) {
        documents.push(policy.PolicyDocument);
      }
    }
    if (r.Type.endsWith('Policy')) documents.push(r.Properties.PolicyDocument);
    for (const document of documents) {
      for (const statement of (document as { Statement: Statement[] }).Statement) {
        found.push({ owner: id, statement });
      }
    }
  }
  return found;
}

/** A role's permissions: each allowed action with the resources it is allowed on. */
export function grants(template: Template, role: string): Record<string, string[]> {
  const byAction: Record<string, string[]> = {};
  for (const { owner, statement } of statements(template)) {
    if (owner !== role || statement.Effect !== 'Allow' || statement.Principal !== undefined) {
      continue;
    }
    for (const action of list(statement.Action)) {
      byAction[action] = [...(byAction[action] ?? []), ...list(statement.Resource)].sort();
    }
  }
  return byAction;
}

export const functionEnv = (template: Template, id: string) =>
  (resource(template, id).Properties.Environment as { Variables: Record<string, string> })
    .Variables;
