import { Match } from 'aws-cdk-lib/assertions';
import { EXISTING_ENDPOINT, templates } from '../../helpers/app';

const { pipelineTemplate: template } = templates({
  ...EXISTING_ENDPOINT,
  contentClassifiers: 'FreeOfPersonallyIdentifiableInformation',
  confidenceThreshold: 0.8,
});
const fn = (description: RegExp) =>
  Object.entries(
    template.findResources('AWS::Lambda::Function', {
      Properties: { Description: Match.stringLikeRegexp(description.source) },
    }),
  )[0];
const predictRole = () =>
  (fn(/^POST \/predict/)[1] as { Properties: { Role: { 'Fn::GetAtt': [string, string] } } }).Properties.Role[
    'Fn::GetAtt'
  ][0];
const loopsRole = () =>
  (fn(/^GET \/loops/)[1] as { Properties: { Role: { 'Fn::GetAtt': [string, string] } } }).Properties.Role[
    'Fn::GetAtt'
  ][0];

describe('REST API', () => {
  test('every method requires IAM (SigV4) authorization', () => {
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method')) as {
      Properties: { HttpMethod: string; AuthorizationType: string };
    }[];
    expect(methods.map((m) => m.Properties.HttpMethod).sort()).toEqual(['GET', 'GET', 'POST']);
    for (const method of methods) expect(method.Properties.AuthorizationType).toBe('AWS_IAM');
  });

  test('POST /predict is checked against the request model before the Lambda runs', () => {
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      RequestValidatorId: { Ref: Match.stringLikeRegexp('BodyValidator') },
      RequestModels: { 'application/json': { Ref: Match.stringLikeRegexp('PredictRequest') } },
    });
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true });
    template.hasResourceProperties('AWS::ApiGateway::Model', {
      Schema: Match.objectLike({
        required: ['instances'],
        additionalProperties: false,
        properties: Match.objectLike({ instances: Match.objectLike({ type: 'array', minItems: 1 }) }),
      }),
    });
  });

  test('a body the model refuses is answered as JSON naming the body', () => {
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'BAD_REQUEST_BODY',
      StatusCode: '400',
      ResponseTemplates: { 'application/json': Match.stringLikeRegexp('"field":"body"') },
    });
  });

  test('the stage is throttled, traced and writes JSON access logs', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      TracingEnabled: true,
      AccessLogSetting: {
        DestinationArn: Match.anyValue(),
        Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"'),
      },
      MethodSettings: [
        Match.objectLike({
          ThrottlingRateLimit: 50,
          ThrottlingBurstLimit: 100,
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
        }),
      ],
    });
  });

  test('throttling comes from context', () => {
    templates({
      ...EXISTING_ENDPOINT,
      apiThrottleRateLimit: 5,
      apiThrottleBurstLimit: 10,
    }).pipelineTemplate.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 })],
    });
  });

  test('outputs the API URL', () => {
    template.hasOutput('ApiUrl', {});
  });
});

describe('predict Lambda', () => {
  test('runs on Node.js 24, arm64, inside API Gateway 29 s', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^POST /predict'),
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 28,
    });
  });

  test('gets the endpoint, flow definition, threshold, classifiers and retry queue', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^POST /predict'),
      Environment: {
        Variables: Match.objectLike({
          SAGEMAKER_ENDPOINT_NAME: 'sentiment-endpoint',
          FLOW_DEFINITION_ARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('FlowDefinition'), 'FlowDefinitionArn'] },
          CONFIDENCE_THRESHOLD: '0.8',
          CONTENT_CLASSIFIERS: 'FreeOfPersonallyIdentifiableInformation',
          REVIEW_RETRY_QUEUE_URL: { Ref: Match.stringLikeRegexp('RetryQueue') },
          LOG_REQUEST_TEXT: 'false',
          REVIEW_LABEL_SET: '{"field":"sentiment","labels":["-1","0","1"]}',
        }),
      },
    });
  });

  test('may invoke that endpoint, start loops on that flow definition, describe loops (a conflict is settled by describing) and send to the retry queue, nothing more', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: predictRole() }],
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'] }),
          Match.objectLike({
            Action: 'sagemaker:InvokeEndpoint',
            Resource: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':endpoint/sentiment-endpoint$')])] },
          }),
          Match.objectLike({
            Action: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('RetryQueue'), 'Arn'] },
          }),
          Match.objectLike({
            Action: 'sagemaker:StartHumanLoop',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('FlowDefinition'), 'FlowDefinitionArn'] },
          }),
          Match.objectLike({
            Action: 'sagemaker:DescribeHumanLoop',
            Resource: { 'Fn::Join': ['', Match.arrayWith([':human-loop/*'])] },
          }),
        ],
      },
    });
  });

  test('the review-retry function may start and describe loops too', () => {
    const retryRole = Object.keys(template.findResources('AWS::IAM::Role')).find((id) =>
      id.startsWith('PredictApiRetryQueueReviewRetryRole'),
    )!;
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: retryRole }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'sagemaker:StartHumanLoop' }),
          Match.objectLike({ Action: 'sagemaker:DescribeHumanLoop' }),
        ]),
      },
    });
  });
});

describe('loops Lambda', () => {
  test('may describe and list loops and read only the output prefix', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: loopsRole() }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'sagemaker:DescribeHumanLoop' }),
          Match.objectLike({ Action: 'sagemaker:ListHumanLoops', Resource: '*' }),
          Match.objectLike({
            Action: 's3:GetObject',
            Resource: {
              'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('OutputBucket'), 'Arn'] }, '/a2i-results/*']],
            },
          }),
        ]),
      },
    });
  });
});

describe('retry queue', () => {
  test('is encrypted and hands failures to a dead-letter queue after 8 receives', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('RetryQueueDeadLetters'), 'Arn'] },
        maxReceiveCount: 8,
      },
    });
  });

  test('is consumed by the review-retry Lambda, reporting failures per message', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('RetryQueue'), 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  test('an alarm fires as soon as a review lands on the dead-letter queue', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('RetryQueueDeadLetters'), 'QueueName'] } },
      ],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });
});

describe('the 400 answer to a body the request model refuses', () => {
  /** API Gateway's $util.escapeJavaScript: Apache Commons Lang's StringEscapeUtils.escapeJavaScript. */
  function escapeJavaScript(text: string): string {
    const named: Record<string, string> = {
      "'": "\\'",
      '"': '\\"',
      '\\': '\\\\',
      '/': '\\/',
      '\b': '\\b',
      '\n': '\\n',
      '\t': '\\t',
      '\f': '\\f',
      '\r': '\\r',
    };
    return [...text]
      .map((c) => {
        if (named[c] !== undefined) return named[c];
        const code = c.charCodeAt(0);
        if (code < 0x20 || code > 0x7e)
          return [...Array(c.length).keys()]
            .map((i) => `\\u${c.charCodeAt(i).toString(16).toUpperCase().padStart(4, '0')}`)
            .join('');
        return c;
      })
      .join('');
  }

  /** Evaluates the template's one expression as API Gateway's VTL does (Java's replaceAll takes a regex). */
  function render(template: string, validationErrorString: string): string {
    return template.replace(
      /\$util\.escapeJavaScript\(\$context\.error\.validationErrorString\)(?:\.replaceAll\("((?:[^"])*)","((?:[^"])*)"\))?/,
      (_, regex?: string, replacement?: string) => {
        const escaped = escapeJavaScript(validationErrorString);
        return regex === undefined ? escaped : escaped.replace(new RegExp(regex, 'g'), replacement ?? '');
      },
    );
  }

  test.each([
    `[object has missing required properties (["instances"])]`,
    `[object instance has properties which are not allowed by the schema: ["it's"]]`,
    `[object instance has properties which are not allowed by the schema: ["a\\"b\\\\c/d", "ünï 日本\n\t"]]`,
  ])('is JSON whatever the field names: %s', (validationErrorString) => {
    const responses = template.findResources('AWS::ApiGateway::GatewayResponse') as Record<
      string,
      { Properties: { ResponseType: string; ResponseTemplates: Record<string, string> } }
    >;
    const badRequest = Object.values(responses).find((r) => r.Properties.ResponseType === 'BAD_REQUEST_BODY')!;

    const body = render(badRequest.Properties.ResponseTemplates['application/json'], validationErrorString);

    expect(JSON.parse(body)).toEqual({ error: 'BadRequest', field: 'body', message: validationErrorString });
  });
});
