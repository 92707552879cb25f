import { Logger } from '@aws-lambda-powertools/logger';

/** One logger per function; the service name comes from POWERTOOLS_SERVICE_NAME set by the construct. */
export const logger = new Logger();
