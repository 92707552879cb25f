#!/usr/bin/env node
import { ConfigError } from '../lib/config';
import { buildApp } from '../lib/app';

try {
  buildApp().app.synth();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  // A configuration mistake is the user's to fix: the message, not a stack trace.
  console.error(error.message);
  process.exit(1);
}
