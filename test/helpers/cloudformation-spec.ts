import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import type { Template } from './serverless-package.ts';

type SpecDatabase = ReturnType<typeof loadAwsServiceSpecSync>;
/** What the checks read of a resource type's specification. */
interface ResourceSpec {
  properties: Record<string, Property>;
  attributes: Record<string, unknown>;
}
interface Property {
  type: PropertyType;
  required?: boolean;
}
type PropertyType =
  | { type: 'ref'; reference: { $ref: string } }
  | { type: 'array' | 'map'; element: PropertyType }
  | { type: 'union'; types: PropertyType[] }
  | { type: string };

let spec: SpecDatabase | undefined;

/**
 * Checks a template against CloudFormation's own resource specification (the database the
 * AWS CDK is generated from), as far as a template can be checked without deploying it:
 * every resource type exists, every property and nested property is one the type has,
 * required ones are present, and every GetAtt names an attribute the resource has.
 * Values that are intrinsic functions are not looked into. Returns the problems found.
 */
export function checkAgainstSpec(template: Template): string[] {
  spec ??= loadAwsServiceSpecSync();
  const db = spec;
  const problems: string[] = [];
  const typeOf = new Map(Object.entries(template.Resources).map(([id, r]) => [id, r.Type]));

  const check = (value: unknown, type: PropertyType, path: string): string[] => {
    if (isIntrinsic(value)) return [];
    switch (type.type) {
      case 'union': {
        const results = (type as { types: PropertyType[] }).types.map((t) => check(value, t, path));
        return results.find((r) => r.length === 0) ?? results[0] ?? [];
      }
      case 'array':
        if (!Array.isArray(value)) return [`${path} must be a list`];
        return value.flatMap((v, i) =>
          check(v, (type as { element: PropertyType }).element, `${path}[${i}]`),
        );
      case 'map':
        if (typeof value !== 'object' || value === null) return [`${path} must be a map`];
        return Object.entries(value).flatMap(([k, v]) =>
          check(v, (type as { element: PropertyType }).element, `${path}.${k}`),
        );
      case 'ref': {
        const definition = db.get(
          'typeDefinition',
          (type as { reference: { $ref: string } }).reference.$ref,
        );
        return checkObject(value, definition.properties, path);
      }
      default:
        return [];
    }
  };

  const checkObject = (
    value: unknown,
    properties: Record<string, Property>,
    path: string,
  ): string[] => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return [`${path} must be an object`];
    }
    const found: string[] = [];
    for (const [name, property] of Object.entries(properties)) {
      if (property.required === true && !(name in value)) found.push(`${path}.${name} is required`);
    }
    for (const [name, v] of Object.entries(value)) {
      const property = properties[name];
      if (property === undefined) found.push(`${path}.${name} is not a property`);
      else found.push(...check(v, property.type, `${path}.${name}`));
    }
    return found;
  };

  const resourceSpec = (type: string) =>
    db.lookup('resource', 'cloudFormationType', 'equals', type)[0] as ResourceSpec | undefined;

  for (const [id, resource] of Object.entries(template.Resources)) {
    const definition = resourceSpec(resource.Type);
    if (definition === undefined) {
      problems.push(`${id}: no resource type ${resource.Type}`);
      continue;
    }
    problems.push(
      ...checkObject(resource.Properties ?? {}, definition.properties, `${id}.Properties`),
    );
  }
  for (const [target, attribute] of getAtts(template)) {
    const type = typeOf.get(target);
    const definition = type === undefined ? undefined : resourceSpec(type);
    if (definition === undefined) problems.push(`GetAtt ${target}.${attribute}: no such resource`);
    else if (!(attribute in definition.attributes)) {
      problems.push(`GetAtt ${target}.${attribute}: ${type} has no such attribute`);
    }
  }
  return problems;
}

function isIntrinsic(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::'));
}

/** Every `Fn::GetAtt` in the template, and every `${Resource.Attribute}` in an `Fn::Sub`. */
function getAtts(template: Template): [string, string][] {
  const found: [string, string][] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(walk);
    if (typeof value !== 'object' || value === null) return;
    for (const [key, v] of Object.entries(value)) {
      if (key === 'Fn::GetAtt' && Array.isArray(v)) found.push([String(v[0]), String(v[1])]);
      if (key === 'Fn::Sub' && typeof v === 'string') {
        for (const m of v.matchAll(/\$\{([A-Za-z0-9]+)\.([A-Za-z0-9.]+)\}/g))
          found.push([m[1]!, m[2]!]);
      }
      walk(v);
    }
  };
  walk(template.Resources);
  walk(template.Outputs);
  return found;
}
