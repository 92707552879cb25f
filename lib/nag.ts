/**
 * Acknowledging cdk-nag (AwsSolutions) findings: one finding per call, always with the reason it is acceptable.
 * Wildcard findings are named by the exact resource pattern, rendered the way cdk-nag renders it, so a new wildcard
 * added later is still reported.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { Construct } from 'constructs';

export function acknowledge(scope: IConstruct, rule: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions::AwsSolutions-${rule}`, reason });
}

/** Acknowledges AwsSolutions-IAM5 for one wildcard resource (an ARN, possibly with tokens) in `scope`'s policies. */
export function acknowledgeWildcardResource(scope: IConstruct, resource: string, reason: string): void {
  acknowledge(scope, `IAM5[Resource::${flattenReference(Stack.of(scope).resolve(resource))}]`, reason);
}

/** As acknowledgeWildcardResource, on a grantee's principal (its role), where cdk-nag reports a grant's wildcard. */
export function acknowledgeWildcardOnGrantee(grantee: iam.IGrantable, resource: string, reason: string): void {
  const principal: unknown = grantee.grantPrincipal;
  if (principal instanceof Construct) acknowledgeWildcardResource(principal, resource, reason);
}

/** The flat form cdk-nag gives a CloudFormation expression: `<LogicalId.Attr>` for GetAtt, `<Name>` for Ref. */
function flattenReference(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/}/g, '>');
  const fn = node as Record<string, unknown>;
  if (Array.isArray(fn['Fn::Join'])) {
    const [delimiter, items] = fn['Fn::Join'] as [string, unknown[]];
    return items.map(flattenReference).join(delimiter);
  }
  if (fn['Fn::Sub'] !== undefined) return flattenReference(fn['Fn::Sub']);
  if (Array.isArray(fn['Fn::GetAtt'])) {
    const [resource, attribute] = fn['Fn::GetAtt'] as unknown[];
    return `<${flattenReference(resource)}.${flattenReference(attribute)}>`;
  }
  if (fn['Fn::ImportValue'] !== undefined) return flattenReference(fn['Fn::ImportValue']);
  if (fn.Ref !== undefined) return `<${flattenReference(fn.Ref)}>`;
  return JSON.stringify(node);
}
