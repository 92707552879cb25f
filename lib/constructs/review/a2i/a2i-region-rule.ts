import { Aws, CfnRule, Fn, Stack, Token } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { A2I_REGIONS } from '../../../config';

/**
 * Stops a deploy before it creates anything when the stack's Region has no Amazon A2I. A Region known at synthesis is
 * already checked by the config; this rule covers an environment-agnostic template deployed anywhere.
 */
export function requireA2iRegion(scope: Construct): void {
  const stack = Stack.of(scope);
  if (!Token.isUnresolved(stack.region)) return;
  new CfnRule(stack, 'A2iRegion', {
    assertions: [
      {
        assert: Fn.conditionContains([...A2I_REGIONS], Aws.REGION),
        assertDescription: `Amazon A2I exists only in ${A2I_REGIONS.join(', ')}: deploy this stack to one of them.`,
      },
    ],
  });
}
