/**
 * Amazon A2I exists in these Regions only (AWS General Reference, "Amazon Augmented AI endpoints and quotas"); a
 * flow definition, a human loop or a private workforce cannot be made anywhere else.
 */
export const A2I_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-2',
  'ca-central-1',
  'eu-central-1',
  'eu-west-1',
  'eu-west-2',
  'ap-south-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-southeast-1',
  'ap-southeast-2',
] as const;

/** A problem when the Region is known at synthesis and has no A2I; an unknown Region is checked at deploy time. */
export function regionProblem(region: string | undefined): string | undefined {
  if (region === undefined || (A2I_REGIONS as readonly string[]).includes(region)) return undefined;
  return (
    `Region: got "${region}" (from CDK_DEFAULT_REGION, which the CDK CLI sets from AWS_REGION or your profile); ` +
    `expected a Region where Amazon A2I exists: ${A2I_REGIONS.join(', ')}.`
  );
}
