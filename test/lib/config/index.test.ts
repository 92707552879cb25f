import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError, DEFAULTS, parseConfig } from '../../../lib/config';

const parse = (context: Record<string, unknown>) => parseConfig((key) => context[key]);

function problemsOf(context: Record<string, unknown>): readonly string[] {
  try {
    parse(context);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('model source', () => {
  test('an existing endpoint name is enough', () => {
    expect(parse({ endpointName: 'my-endpoint' }).model).toEqual({ kind: 'existing', endpointName: 'my-endpoint' });
  });

  test('a model archive builds an instance endpoint with the defaults', () => {
    expect(parse({ modelDataUrl: 's3://bucket/path/model.tar.gz' }).model).toEqual({
      kind: 'new',
      modelDataUrl: 's3://bucket/path/model.tar.gz',
      modelImageUri: undefined,
      networkIsolation: false,
      compute: { kind: 'instances', instanceType: 'ml.m5.large', instanceCount: 1 },
    });
  });

  test('network isolation is off by default (the reference model downloads its tokenizer and packages at start)', () => {
    const isolated = parse({ modelDataUrl: 's3://bucket/model.tar.gz', networkIsolation: 'true' });
    expect(isolated.model).toMatchObject({ networkIsolation: true });
  });

  test('network isolation with a serverless endpoint is refused: SageMaker does not support it there', () => {
    expect(
      problemsOf({ modelDataUrl: 's3://bucket/model.tar.gz', serverlessMemorySizeInMB: 2048, networkIsolation: true }),
    ).toEqual([
      'networkIsolation: got true; expected false (or no value) with a serverless endpoint: SageMaker Serverless Inference does not support network isolation.',
    ]);
    expect(parse({ modelDataUrl: 's3://bucket/model.tar.gz', serverlessMemorySizeInMB: 2048 }).model).toMatchObject({
      networkIsolation: false,
    });
  });

  test.each(['ml.g5.xlarge', 'ml.m5d.large', 'ml.c6gd.large', 'ml.g4dn.xlarge', 'ml.p4d.24xlarge', 'ml.r6id.large'])(
    'a KMS key with %s (local NVMe storage) is refused: CreateEndpointConfig rejects it',
    (instanceType) => {
      const kmsKeyArn = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
      expect(problemsOf({ modelDataUrl: 's3://bucket/model.tar.gz', instanceType, kmsKeyArn })).toEqual([
        `kmsKeyArn: got "${kmsKeyArn}"; expected no key with instanceType ${instanceType}: its local NVMe storage is encrypted by the instance and SageMaker refuses a KmsKeyId for it; choose an instance type without local storage (like ml.m5.large) or leave kmsKeyArn out.`,
      ]);
    },
  );

  test.each(['ml.m5.large', 'ml.c7g.large', 'ml.inf2.xlarge'])(
    'a KMS key with %s (EBS storage) is fine',
    (instanceType) => {
      const kmsKeyArn = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
      expect(parse({ modelDataUrl: 's3://bucket/model.tar.gz', instanceType, kmsKeyArn }).review.kmsKeyArn).toBe(
        kmsKeyArn,
      );
    },
  );

  test('an x86 PyTorch image on a Graviton instance type is refused; without modelImageUri the arm64 image is used', () => {
    const x86 = '763104351884.dkr.ecr.eu-west-1.amazonaws.com/pytorch-inference:2.6.0-cpu-py312-ubuntu22.04-sagemaker';
    expect(
      problemsOf({ modelDataUrl: 's3://bucket/model.tar.gz', instanceType: 'ml.c7g.xlarge', modelImageUri: x86 }),
    ).toEqual([
      `modelImageUri: got "${x86}"; expected an arm64 image for instanceType ml.c7g.xlarge (a Graviton processor), like the pytorch-inference-arm64 repository's, or no modelImageUri to get pytorch-inference-arm64:2.6.0-cpu-py312-ubuntu22.04-sagemaker.`,
    ]);
    const arm = x86.replace('pytorch-inference:', 'pytorch-inference-arm64:');
    expect(
      problemsOf({ modelDataUrl: 's3://bucket/model.tar.gz', instanceType: 'ml.m5.large', modelImageUri: arm }),
    ).toEqual([
      `modelImageUri: got "${arm}"; expected an x86_64 image for instanceType ml.m5.large (an x86 processor), like the pytorch-inference repository's, or no modelImageUri to get pytorch-inference:2.6.0-cpu-py312-ubuntu22.04-sagemaker.`,
    ]);
    expect(
      parse({ modelDataUrl: 's3://bucket/model.tar.gz', instanceType: 'ml.c7g.xlarge', modelImageUri: arm }).model,
    ).toMatchObject({
      modelImageUri: arm,
    });
  });

  test('serverless keys choose a serverless endpoint, numbers given as strings', () => {
    const config = parse({ modelDataUrl: 's3://bucket/model.tar.gz', serverlessMemorySizeInMB: '4096' });
    expect(config.model).toMatchObject({ compute: { kind: 'serverless', memorySizeInMB: 4096, maxConcurrency: 5 } });
  });

  test('neither endpointName nor modelDataUrl', () => {
    expect(problemsOf({})).toEqual([
      'endpointName or modelDataUrl: neither was given; expected exactly one (an existing endpoint, or the S3 URI of a model.tar.gz).',
    ]);
  });

  test('endpointName together with modelDataUrl', () => {
    expect(problemsOf({ endpointName: 'ep', modelDataUrl: 's3://bucket/model.tar.gz' })).toEqual([
      'modelDataUrl: got "s3://bucket/model.tar.gz"; not allowed together with endpointName (use an existing endpoint, or build one from modelDataUrl).',
    ]);
  });

  test('a malformed S3 URI', () => {
    expect(problemsOf({ modelDataUrl: 'https://bucket/model.tar.gz' })).toEqual([
      'modelDataUrl: got "https://bucket/model.tar.gz"; expected an S3 URI of a model archive, like s3://my-bucket/models/model.tar.gz.',
    ]);
  });

  test('an endpoint name longer than 63 characters', () => {
    const name = 'e'.repeat(64);
    expect(problemsOf({ endpointName: name })).toEqual([
      `endpointName: got "${name}"; expected a SageMaker endpoint name (1-63 letters, digits or hyphens, not starting or ending with a hyphen).`,
    ]);
  });

  test('serverless with instance keys, and a memory size SageMaker does not offer', () => {
    expect(
      problemsOf({
        modelDataUrl: 's3://bucket/model.tar.gz',
        serverlessMemorySizeInMB: 1500,
        instanceType: 'ml.m5.large',
      }),
    ).toEqual([
      'instanceType: got "ml.m5.large"; not allowed together with a serverless configuration (serverlessMemorySizeInMB, serverlessMaxConcurrency).',
      'serverlessMemorySizeInMB: got 1500; expected one of 1024, 2048, 3072, 4096, 5120, 6144.',
    ]);
  });

  test('a malformed image URI and instance type', () => {
    expect(
      problemsOf({
        modelDataUrl: 's3://bucket/model.tar.gz',
        modelImageUri: 'pytorch:latest',
        instanceType: 'm5.large',
      }),
    ).toEqual([
      'modelImageUri: got "pytorch:latest"; expected an ECR image URI with a tag or digest, like 123456789012.dkr.ecr.eu-west-1.amazonaws.com/repo:tag.',
      'instanceType: got "m5.large"; expected a SageMaker instance type, like ml.m5.large.',
    ]);
  });
});

describe('review settings', () => {
  test('defaults', () => {
    const { review } = parse({ endpointName: 'ep' });
    expect(review).toMatchObject({
      confidenceThreshold: 0.9,
      taskCount: 1,
      resourcePrefix: DEFAULTS.resourcePrefix,
      taskTemplateName: 'sentiment',
      outputPrefix: 'a2i-results',
    });
    expect(review.taskTemplateContent).toContain('<crowd-classifier');
  });

  test('a threshold outside 0-1', () => {
    expect(problemsOf({ endpointName: 'ep', confidenceThreshold: '1.5' })).toEqual([
      'confidenceThreshold: got "1.5"; expected a number from 0 to 1.',
    ]);
  });

  test('TaskCount 4', () => {
    expect(problemsOf({ endpointName: 'ep', taskCount: 4 })).toEqual([
      'taskCount: got 4; expected an integer from 1 to 3.',
    ]);
  });

  test('a resource prefix that would break the 63-character name rule', () => {
    const prefix = 'p'.repeat(55);
    expect(problemsOf({ endpointName: 'ep', resourcePrefix: prefix })).toEqual([
      `resourcePrefix: got "${prefix}"; expected 1-54 lowercase letters, digits or hyphens, not starting or ending with a hyphen (the name gets -<8-character hash> appended and must stay within 63 characters).`,
    ]);
  });

  test('an unknown template names the templates there are', () => {
    const templates = fs
      .readdirSync(path.join(__dirname, '..', '..', '..', 'templates'))
      .filter((file) => file.endsWith('.liquid.html'))
      .map((file) => file.replace('.liquid.html', ''))
      .sort();
    expect(templates).toContain('sentiment');
    expect(problemsOf({ endpointName: 'ep', taskTemplate: 'nope' })).toEqual([
      `taskTemplate: got "nope"; expected one of the templates in templates/: ${templates.join(', ')}.`,
    ]);
  });

  test('a task that outlives its availability', () => {
    expect(
      problemsOf({ endpointName: 'ep', taskAvailabilityLifetimeInSeconds: 600, taskTimeLimitInSeconds: 3600 }),
    ).toEqual(['taskAvailabilityLifetimeInSeconds: got 600; expected at least taskTimeLimitInSeconds (3600).']);
  });

  test('a malformed KMS key ARN', () => {
    expect(problemsOf({ endpointName: 'ep', kmsKeyArn: 'alias/my-key' })).toEqual([
      'kmsKeyArn: got "alias/my-key"; expected a KMS key ARN, like arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab.',
    ]);
  });

  test('every problem is reported at once', () => {
    expect(problemsOf({ taskCount: 0, confidenceThreshold: -1 })).toHaveLength(3);
  });
});

describe('workteam source', () => {
  test('by default the app manages the workforce', () => {
    expect(parse({ endpointName: 'ep' }).workteam).toEqual({
      kind: 'managed',
      cognitoDomainPrefix: undefined,
      workforceName: 'review-workforce',
      workteamName: 'review-team',
      workteamDescription: DEFAULTS.workteamDescription,
      workerEmails: [],
      workerMfa: 'optional',
    });
  });

  test.each([
    ['a comma-separated string', 'a@example.com, b@example.com'],
    ['a JSON array (cdk.json)', ['a@example.com', 'b@example.com']],
    [
      'a JSON array given as a string (-c workerEmails=\'["..."]\', the README form)',
      '["a@example.com","b@example.com"]',
    ],
  ])('worker emails from %s', (_, workerEmails) => {
    expect(parse({ endpointName: 'ep', workerEmails }).workteam).toMatchObject({
      workerEmails: ['a@example.com', 'b@example.com'],
    });
  });

  test('a malformed and a repeated email', () => {
    expect(problemsOf({ endpointName: 'ep', workerEmails: 'not-an-email,a@example.com,A@example.com' })).toEqual([
      'workerEmails: got "not-an-email"; expected email addresses like worker@example.com, separated by commas.',
      'workerEmails: got "A@example.com"; expected each address once.',
    ]);
  });

  test.each([
    [
      '"a@example.com"',
      'workerEmails: got "\\"a@example.com\\""; expected email addresses like worker@example.com, separated by commas.',
    ],
    [
      'Ana <a@example.com>',
      'workerEmails: got "Ana <a@example.com>"; expected email addresses like worker@example.com, separated by commas.',
    ],
    [
      'a@localhost',
      'workerEmails: got "a@localhost"; expected email addresses like worker@example.com, separated by commas.',
    ],
    [
      '["a@example.com"',
      'workerEmails: got "[\\"a@example.com\\""; expected a comma-separated string or a JSON array of strings.',
    ],
    ['[1, 2]', 'workerEmails: got "[1, 2]"; expected a comma-separated string or a JSON array of strings.'],
  ])('anything but a plain email is refused: %s', (workerEmails, problem) => {
    expect(problemsOf({ endpointName: 'ep', workerEmails })).toEqual([problem]);
  });

  test('an existing workteam ARN replaces the workforce stack', () => {
    const arn = 'arn:aws:sagemaker:eu-west-1:123456789012:workteam/private-crowd/my-team';
    expect(parse({ endpointName: 'ep', existingWorkteamArn: arn }).workteam).toEqual({
      kind: 'existing',
      workteamArn: arn,
    });
  });

  test('a malformed workteam ARN', () => {
    expect(
      problemsOf({ endpointName: 'ep', existingWorkteamArn: 'arn:aws:sagemaker:eu-west-1:123:workteam/x' }),
    ).toEqual([
      'existingWorkteamArn: got "arn:aws:sagemaker:eu-west-1:123:workteam/x"; expected a private workteam ARN, like arn:aws:sagemaker:eu-west-1:123456789012:workteam/private-crowd/my-team.',
    ]);
  });

  test('workforce keys have no effect with an existing workteam, so they are refused', () => {
    const arn = 'arn:aws:sagemaker:eu-west-1:123456789012:workteam/private-crowd/my-team';
    expect(problemsOf({ endpointName: 'ep', existingWorkteamArn: arn, workerEmails: 'a@example.com' })).toEqual([
      'workerEmails: got "a@example.com"; not allowed together with existingWorkteamArn (no workforce stack is made).',
    ]);
  });

  test('a Cognito domain prefix with a reserved word', () => {
    expect(problemsOf({ endpointName: 'ep', cognitoDomainPrefix: 'my-aws-workers' })).toEqual([
      'cognitoDomainPrefix: got "my-aws-workers"; expected a prefix without the reserved word "aws".',
    ]);
  });

  test('a Cognito domain prefix with capitals', () => {
    expect(problemsOf({ endpointName: 'ep', cognitoDomainPrefix: 'Workers' })).toEqual([
      'cognitoDomainPrefix: got "Workers"; expected 1-63 lowercase letters, digits or hyphens, not starting or ending with a hyphen.',
    ]);
  });
});

describe('predict API settings', () => {
  test('defaults', () => {
    expect(parse({ endpointName: 'ep' }).api).toEqual({
      throttleRateLimit: 50,
      throttleBurstLimit: 100,
      contentClassifiers: [],
      logRequestText: false,
      loopStartConcurrency: 100,
    });
  });

  test('a loop-start concurrency outside 1-100', () => {
    expect(problemsOf({ endpointName: 'ep', loopStartConcurrency: '101' })).toEqual([
      'loopStartConcurrency: got "101"; expected an integer from 1 to 100.',
    ]);
    expect(parse({ endpointName: 'ep', loopStartConcurrency: '8' }).api.loopStartConcurrency).toBe(8);
  });

  test('content classifiers A2I does not know', () => {
    expect(problemsOf({ endpointName: 'ep', contentClassifiers: 'FreeOfAdultContent,FreeOfSpam' })).toEqual([
      'contentClassifiers: got "FreeOfSpam"; expected some of FreeOfPersonallyIdentifiableInformation, FreeOfAdultContent, separated by commas.',
    ]);
  });

  test('a throttle rate that is not a positive integer', () => {
    expect(problemsOf({ endpointName: 'ep', apiThrottleRateLimit: '0' })).toEqual([
      'apiThrottleRateLimit: got "0"; expected an integer from 1 to 10000.',
    ]);
  });
});

describe('review settings', () => {
  test("the label set is the template's crowd-classifier categories", () => {
    expect(parse({ endpointName: 'ep' }).review.labelSet).toEqual({ field: 'sentiment', labels: ['-1', '0', '1'] });
  });

  test('labels that differ from the template are refused', () => {
    expect(problemsOf({ endpointName: 'ep', labels: 'pos,neg' })).toEqual([
      'labels: got ["pos","neg"]; expected no value, or the categories of template sentiment (-1, 0, 1), which it already gives.',
    ]);
  });

  test('output retention is off unless set, and a whole number of days', () => {
    expect(parse({ endpointName: 'ep' }).review.outputRetentionDays).toBeUndefined();
    expect(parse({ endpointName: 'ep', outputRetentionDays: '90' }).review.outputRetentionDays).toBe(90);
    expect(problemsOf({ endpointName: 'ep', outputRetentionDays: '0.5' })).toEqual([
      'outputRetentionDays: got "0.5"; expected an integer from 1 to 36500.',
    ]);
  });
});

describe('task object locations', () => {
  test('none unless given; buckets and prefixes as a list or comma-separated', () => {
    expect(parse({ endpointName: 'ep' }).review.taskObjectLocations).toEqual([]);
    expect(
      parse({ endpointName: 'ep', taskObjectLocations: 's3://clarify-explanations/shap/,s3://review-images' }).review
        .taskObjectLocations,
    ).toEqual([
      { bucket: 'clarify-explanations', prefix: 'shap/' },
      { bucket: 'review-images', prefix: '' },
    ]);
    expect(parse({ endpointName: 'ep', taskObjectLocations: ['s3://b-1/x'] }).review.taskObjectLocations).toEqual([
      { bucket: 'b-1', prefix: 'x/' },
    ]);
  });

  test.each([
    ['https://b.s3.amazonaws.com/x', 'is not an s3:// URI'],
    ['s3://My_Bucket/x', 'is not an S3 bucket name'],
    ['s3://images/*.png', 'has * or ?, which IAM reads as wildcards'],
  ])('%s is refused, naming the key and why', (uri, why) => {
    const [problem] = problemsOf({ endpointName: 'ep', taskObjectLocations: [uri] });
    expect(problem).toContain(
      `taskObjectLocations: got ${JSON.stringify(uri)}; expected s3://bucket or s3://bucket/prefix/`,
    );
    expect(problem).toContain(why);
  });
});

describe('Region and alarms', () => {
  test('a Region without Amazon A2I is refused, with the Regions that have it', () => {
    expect(() => parseConfig((key) => ({ endpointName: 'ep' })[key], { region: 'eu-south-1' })).toThrow(
      'Region: got "eu-south-1" (from CDK_DEFAULT_REGION, which the CDK CLI sets from AWS_REGION or your profile); expected a Region where Amazon A2I exists: us-east-1, us-east-2, us-west-2, ca-central-1, eu-central-1, eu-west-1, eu-west-2, ap-south-1, ap-northeast-1, ap-northeast-2, ap-southeast-1, ap-southeast-2.',
    );
    expect(parseConfig((key) => ({ endpointName: 'ep' })[key], { region: 'eu-west-1' }).model.kind).toBe('existing');
  });

  test('alarm notifications go to one plain email address', () => {
    expect(parse({ endpointName: 'ep' }).operations).toEqual({
      alarmEmail: undefined,
      reserveConsumerConcurrency: true,
    });
    expect(parse({ endpointName: 'ep', alarmEmail: 'ops@example.com' }).operations).toMatchObject({
      alarmEmail: 'ops@example.com',
    });
    expect(problemsOf({ endpointName: 'ep', alarmEmail: 'ops@example.com,b@example.com' })).toEqual([
      'alarmEmail: got "ops@example.com,b@example.com"; expected one email address, like ops@example.com.',
    ]);
  });
});

test('the error message lists each problem under a hint of how to fix it', () => {
  expect(() => parse({ endpointName: 'ep', taskCount: 4 })).toThrow(
    'Invalid CDK context (fix with -c key=value or in cdk.json):\n  - taskCount: got 4; expected an integer from 1 to 3.',
  );
});

describe('review backend', () => {
  test('A2I unless reviewBackend says otherwise, so a redeploy never changes backend', () => {
    expect(parse({ endpointName: 'ep' }).review.backend).toBe('a2i');
    expect(parse({ endpointName: 'ep', reviewBackend: 'self-hosted' }).review.backend).toBe('self-hosted');
  });

  test('an unknown backend is named with the choices', () => {
    expect(problemsOf({ endpointName: 'ep', reviewBackend: 'mturk' }).join('\n')).toMatch(
      /reviewBackend.*"mturk".*a2i.*self-hosted/,
    );
  });

  test('the self-hosted backend signs workers in with its own pool: no existing SageMaker workteam', () => {
    expect(
      problemsOf({
        endpointName: 'ep',
        reviewBackend: 'self-hosted',
        existingWorkteamArn: 'arn:aws:sagemaker:eu-west-1:123456789012:workteam/private-crowd/team',
      }).join('\n'),
    ).toMatch(/existingWorkteamArn.*reviewBackend=self-hosted/);
  });

  test('the self-hosted backend runs in Regions without A2I', () => {
    const lookup = (key: string) => ({ endpointName: 'ep', reviewBackend: 'self-hosted' })[key];
    expect(parseConfig(lookup, { region: 'eu-south-1' }).review.backend).toBe('self-hosted');
  });

  test('large inputs of the self-hosted backend outlive the tasks that read them', () => {
    expect(
      problemsOf({
        endpointName: 'ep',
        reviewBackend: 'self-hosted',
        outputRetentionDays: 1,
        taskAvailabilityLifetimeInSeconds: 172_800,
      }).join('\n'),
    ).toMatch(/outputRetentionDays.*taskAvailabilityLifetimeInSeconds is 172800/);
  });
});
