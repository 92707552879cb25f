import type {
  CloudFormationCustomResourceCreateEvent,
  CloudFormationCustomResourceDeleteEvent,
  CloudFormationCustomResourceUpdateEvent,
} from 'aws-lambda';

export const STACK_ID = 'arn:aws:cloudformation:eu-west-1:123456789012:stack/ReviewWorkforce/0c1d2e3f';

const base = {
  ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:provider',
  ResponseURL: 'https://cloudformation-custom-resource-response.example/presigned',
  StackId: STACK_ID,
  RequestId: 'request-1',
  LogicalResourceId: 'Resource',
  ResourceType: 'Custom::Test',
};

export function createEvent(props: Record<string, unknown>): CloudFormationCustomResourceCreateEvent {
  return { ...base, RequestType: 'Create', ResourceProperties: { ServiceToken: base.ServiceToken, ...props } };
}

export function updateEvent(
  physicalId: string,
  props: Record<string, unknown>,
  oldProps: Record<string, unknown>,
): CloudFormationCustomResourceUpdateEvent {
  return {
    ...base,
    RequestType: 'Update',
    PhysicalResourceId: physicalId,
    ResourceProperties: { ServiceToken: base.ServiceToken, ...props },
    OldResourceProperties: { ServiceToken: base.ServiceToken, ...oldProps },
  };
}

export function deleteEvent(
  physicalId: string,
  props: Record<string, unknown>,
): CloudFormationCustomResourceDeleteEvent {
  return {
    ...base,
    RequestType: 'Delete',
    PhysicalResourceId: physicalId,
    ResourceProperties: { ServiceToken: base.ServiceToken, ...props },
  };
}
