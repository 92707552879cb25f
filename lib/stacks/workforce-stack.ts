import type { StackProps } from 'aws-cdk-lib';
import { CfnOutput, Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { ReviewBackendName } from '../../common/contract';
import type { WorkteamConfig } from '../config';
import { requireA2iRegion } from '../constructs/review/a2i/a2i-region-rule';
import { PrivateWorkteam } from '../constructs/review/a2i/private-workteam';
import { WorkerUserPool } from '../constructs/worker-user-pool';

export interface WorkforceStackProps extends StackProps {
  readonly workforce: Extract<WorkteamConfig, { kind: 'managed' }>;
  /**
   * Whether the workers review in SageMaker's labeling portal (a private workforce and workteam on the pool) or in the
   * self-hosted backend's portal (the pool alone).
   * @default 'a2i'
   */
  readonly reviewBackend?: ReviewBackendName;
}

/**
 * Long-lived, one per account and Region: the workers' user pool, and with A2I the private workforce and the
 * workteam.
 */
export class WorkforceStack extends Stack {
  /** With A2I only. */
  readonly workteamArn?: string;
  readonly pool: WorkerUserPool;

  constructor(scope: Construct, id: string, props: WorkforceStackProps) {
    super(scope, id, props);
    const { workforce } = props;
    const pool = new WorkerUserPool(this, 'WorkerPool', {
      domainPrefix: workforce.cognitoDomainPrefix,
      workerEmails: workforce.workerEmails,
      mfa: workforce.workerMfa,
    });
    this.pool = pool;
    new CfnOutput(this, 'UserPoolId', {
      value: pool.userPool.userPoolId,
      description: 'Cognito user pool of the workers',
    });
    new CfnOutput(this, 'WorkerGroupName', { value: pool.groupName, description: 'Cognito group of the workteam' });
    if ((props.reviewBackend ?? 'a2i') !== 'a2i') return;

    requireA2iRegion(this);
    const team = new PrivateWorkteam(this, 'Workteam', {
      userPool: pool.userPool,
      client: pool.client,
      domain: pool.domain,
      groupName: pool.groupName,
      workforceName: workforce.workforceName,
      workteamName: workforce.workteamName,
      description: workforce.workteamDescription,
    });
    this.workteamArn = team.workteamArn;

    new CfnOutput(this, 'WorkteamArn', { value: team.workteamArn, description: 'ARN of the private workteam' });
    new CfnOutput(this, 'LabelingPortalUrl', { value: team.portalUrl, description: 'Where workers sign in to review' });
  }
}
