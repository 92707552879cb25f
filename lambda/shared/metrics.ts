import { Metrics } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE } from '../../common/metrics';

/** EMF metrics of the pipeline; the service dimension comes from POWERTOOLS_SERVICE_NAME. */
export const metrics = new Metrics({ namespace: METRICS_NAMESPACE });
