/**
 * The custom resources' contracts: the properties the constructs (lib/) pass and the data the handlers (lambda/)
 * return, typed on both sides, so a renamed property fails to compile instead of failing a deploy. CloudFormation
 * delivers every property value as a string; the handlers coerce what they need as numbers.
 */

export const RESOURCE_TYPES = {
  humanTaskUi: 'Custom::HumanTaskUi',
  flowDefinition: 'Custom::FlowDefinition',
  privateWorkteam: 'Custom::PrivateWorkteam',
} as const;

export interface HumanTaskUiProperties {
  readonly NamePrefix: string;
  readonly Content: string;
}

export type HumanTaskUiData = {
  readonly HumanTaskUiName: string;
  readonly HumanTaskUiArn: string;
};

export interface FlowDefinitionProperties {
  readonly NamePrefix: string;
  readonly RoleArn: string;
  readonly WorkteamArn: string;
  readonly HumanTaskUiArn: string;
  readonly TaskTitle: string;
  readonly TaskDescription: string;
  readonly TaskCount: number;
  readonly TaskAvailabilityLifetimeInSeconds: number;
  readonly TaskTimeLimitInSeconds: number;
  readonly S3OutputPath: string;
  readonly KmsKeyId?: string;
}

export type FlowDefinitionData = {
  readonly FlowDefinitionName: string;
  readonly FlowDefinitionArn: string;
};

export interface PrivateWorkteamProperties {
  readonly UserPoolId: string;
  readonly ClientId: string;
  readonly UserGroup: string;
  readonly WorkforceName: string;
  readonly WorkteamName: string;
  readonly WorkteamDescription: string;
  /** Changes whenever the app client's declaration does, so the resource runs again (lib/constructs/private-workteam.ts). */
  readonly ClientSettingsFingerprint?: string;
}

export type PrivateWorkteamData = {
  readonly WorkteamArn: string;
  readonly WorkteamName: string;
  readonly WorkforceName: string;
  readonly PortalUrl: string;
};

/** The name of one data attribute, checked against the handler's data type (a type, so it fits Record<string, string>). */
export function attributeOf<Data>(name: keyof Data & string): string {
  return name;
}
