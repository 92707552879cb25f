import * as fs from 'node:fs';
import * as path from 'node:path';
import type { App } from 'aws-cdk-lib';
import { Validations } from 'aws-cdk-lib';
import type { CfnBucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { EXISTING_ENDPOINT, MODEL_ARCHIVE, synthApp } from '../helpers/app';

const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const configurations: Record<string, Record<string, unknown>> = {
  'existing endpoint, managed workforce, alarm email': {
    ...EXISTING_ENDPOINT,
    workerEmails: 'ana@example.com',
    alarmEmail: 'ops@example.com',
  },
  'model archive on instances with a KMS key': { ...MODEL_ARCHIVE, kmsKeyArn: KEY_ARN },
  'serverless model, MFA required': { ...MODEL_ARCHIVE, serverlessMemorySizeInMB: 2048, workerMfa: 'required' },
  'self-hosted backend with a KMS key and alarm email': {
    ...EXISTING_ENDPOINT,
    reviewBackend: 'self-hosted',
    kmsKeyArn: KEY_ARN,
    workerEmails: 'ana@example.com',
    alarmEmail: 'ops@example.com',
  },
  'self-hosted backend, defaults': { ...MODEL_ARCHIVE, reviewBackend: 'self-hosted' },
  'self-hosted backend showing objects from two locations': {
    ...EXISTING_ENDPOINT,
    reviewBackend: 'self-hosted',
    taskObjectLocations: ['s3://clarify-explanations/shap/', 's3://review-images'],
  },
  'existing workteam, showing objects from a prefix': {
    ...EXISTING_ENDPOINT,
    taskObjectLocations: 's3://clarify-explanations/shap/',
    existingWorkteamArn: 'arn:aws:sagemaker:eu-west-1:123456789012:workteam/private-crowd/team',
  },
};

interface ValidationReport {
  pluginReports: { pluginName: string; violations: { ruleName: string }[] }[];
}

/** Synthesizes like `cdk synth` (the AwsSolutions plugin and CloudFormation's own validation) and reads the report. */
function validationReport(app: App): ValidationReport {
  try {
    app.synth({ force: true });
  } catch (error) {
    if (!/validation-report\.json/.test(String(error))) throw error;
  }
  const reportPath = path.join(app.outdir, 'validation-report.json');
  const report = fs.existsSync(reportPath)
    ? (JSON.parse(fs.readFileSync(reportPath, 'utf8')) as ValidationReport)
    : undefined;
  fs.rmSync(app.outdir, { recursive: true, force: true });
  return report ?? { pluginReports: [] };
}

function acknowledgedRules(root: IConstruct): { id: string; reason: string }[] {
  return root.node
    .findAll()
    .flatMap((construct) => construct.node.metadata)
    .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((entry) => Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({ id, reason })));
}

describe.each(Object.entries(configurations))('%s', (_name, context) => {
  test('synthesis reports no unacknowledged AwsSolutions finding and no CloudFormation validation error', () => {
    const violations = validationReport(synthApp(context).app).pluginReports.flatMap((report) =>
      report.violations.map((violation) => `${report.pluginName}: ${violation.ruleName}`),
    );
    expect(violations).toEqual([]);
  });

  test('every acknowledgement names one finding that really occurs, with a reason', () => {
    const { app } = synthApp(context);
    const acknowledged = acknowledgedRules(app);
    const findings = new AwsSolutionsChecks().validateScope(app).violations.map((violation) => violation.ruleName);

    for (const { id, reason } of acknowledged) {
      expect(id).toMatch(/^AwsSolutions::AwsSolutions-[A-Z]+\d+(\[[^\]]+\])?$/);
      expect(reason.length).toBeGreaterThan(30);
    }
    expect([...new Set(acknowledged.map(({ id }) => id.replace(/^AwsSolutions::/, '')))].sort()).toEqual(
      [...new Set(findings)].sort(),
    );
  });
});

test('the built-in CloudFormation validation runs: a misspelt property fails synthesis', () => {
  const { app, pipeline } = synthApp(EXISTING_ENDPOINT);
  (pipeline.output.bucket.node.defaultChild as CfnBucket).addPropertyOverride('VersioningConfigurationz', {
    Status: 'Enabled',
  });

  const report = validationReport(app);

  expect(report.pluginReports).toContainEqual(
    expect.objectContaining({
      pluginName: 'CloudFormation Validate',
      violations: [expect.objectContaining({ ruleName: 'F3002' })],
    }),
  );
});
