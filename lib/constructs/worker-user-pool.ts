import { Aws, Duration, Fn, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { WORKER_POOL_STACK_TAG } from '../../common/contract';
import { shortHash } from '../../common/names';
import { acknowledge } from '../nag';

export interface WorkerUserPoolProps {
  /**
   * Prefix of the Cognito hosted domain (`<prefix>.auth.<region>.amazoncognito.com`), unique in the Region.
   * @default `review-workers-<account>-<region>`, unique per account and Region
   */
  readonly domainPrefix?: string;
  /** @default 'reviewers' */
  readonly groupName?: string;
  /**
   * Workers to invite. Cognito emails each one a temporary password; none passes through this app.
   * @default no workers
   */
  readonly workerEmails?: readonly string[];
  /**
   * Whether workers must use a TOTP authenticator at sign-in.
   * @default 'optional' (workers may enrol a TOTP authenticator)
   */
  readonly mfa?: 'optional' | 'required';
}

/**
 * The Cognito side of a private workforce: a user pool only administrators add to, the workers' group, the hosted
 * domain and the app client the SageMaker labeling portal signs in through, and the initial workers.
 */
export class WorkerUserPool extends Construct {
  readonly userPool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;
  readonly group: cognito.CfnUserPoolGroup;
  readonly domain: cognito.UserPoolDomain;

  constructor(scope: Construct, id: string, props: WorkerUserPoolProps = {}) {
    super(scope, id);
    this.userPool = new cognito.UserPool(this, 'Pool', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(7),
      },
      mfa: props.mfa === 'required' ? cognito.Mfa.REQUIRED : cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      userInvitation: {
        emailSubject: 'You are invited to review model predictions',
        emailBody:
          'You have been added as a reviewer. Your username is {username} and your temporary password is {####}. ' +
          'You will be asked to choose a new password at your first sign-in to the labeling portal.',
      },
      deletionProtection: true,
      // The pool holds the workers' accounts: deleting the stack must not delete them.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // The pool outlives a failed deploy (it is retained); the workforce resource recognises it by this tag.
    Tags.of(this.userPool).add(WORKER_POOL_STACK_TAG, Stack.of(this).stackName);
    acknowledge(
      this.userPool,
      'COG8',
      'Threat protection needs the paid Plus feature plan (billed per active user); the pool admits only invited workers.',
    );
    if (props.mfa !== 'required') {
      acknowledge(
        this.userPool,
        'COG2',
        'Workers may enrol a TOTP authenticator; requiring it is one context key away (workerMfa=required).',
      );
    }

    this.group = new cognito.CfnUserPoolGroup(this, 'Workers', {
      userPoolId: this.userPool.userPoolId,
      groupName: props.groupName ?? 'reviewers',
      description: 'Workers of the private workteam',
    });

    this.domain = this.userPool.addDomain('Domain', {
      cognitoDomain: {
        domainPrefix: props.domainPrefix ?? Fn.join('-', ['review-workers', Aws.ACCOUNT_ID, Aws.REGION]),
      },
    });

    // The workforce custom resource replaces the callback and logout URLs with the portal's; this placeholder only
    // satisfies Cognito, which requires a callback URL when OAuth flows are enabled.
    this.client = this.userPool.addClient('PortalClient', {
      generateSecret: true,
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: true },
        scopes: [cognito.OAuthScope.EMAIL, cognito.OAuthScope.OPENID, cognito.OAuthScope.PROFILE],
        callbackUrls: ['https://localhost/pending-workforce-portal'],
        logoutUrls: ['https://localhost/pending-workforce-portal'],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      // Set on purpose: an hour of access per sign-in, and a working day before a worker signs in again (tasks take
      // at most 8 hours), instead of Cognito's 30-day refresh token on shared labeling workstations.
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
    });

    for (const email of props.workerEmails ?? []) this.inviteWorker(email);
  }

  get groupName(): string {
    return this.group.ref;
  }

  /** Cognito sends the invitation with a temporary password; the email is the username. */
  private inviteWorker(email: string): void {
    const id = `Worker${shortHash(email.toLowerCase())}`;
    const user = new cognito.CfnUserPoolUser(this, id, {
      userPoolId: this.userPool.userPoolId,
      username: email,
      desiredDeliveryMediums: ['EMAIL'],
      userAttributes: [
        { name: 'email', value: email },
        { name: 'email_verified', value: 'true' },
      ],
    });
    new cognito.CfnUserPoolUserToGroupAttachment(this, `${id}Membership`, {
      userPoolId: this.userPool.userPoolId,
      groupName: this.groupName,
      username: user.ref,
    });
  }
}
