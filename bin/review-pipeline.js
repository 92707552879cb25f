#!/usr/bin/env node
// The operator CLI runs from the TypeScript sources through tsx, like the CDK app.
require('tsx/cjs');
require('./review-pipeline.ts');
