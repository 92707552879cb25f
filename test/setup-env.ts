// Handlers under test: quiet logs, instant polling, a Region for the SDK clients (all calls are mocked or local).
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POLL_INTERVAL_MS ??= '1';
process.env.AWS_REGION ??= 'eu-west-1';
process.env.AWS_ACCESS_KEY_ID ??= 'test';
process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
// This machine runs Node 20; the Lambdas run Node 24. The SDK's notice about Node 22 says nothing about them.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
