export { type Attribution, attributeRequest, countRequest } from './attribute-request.ts';
export { type LinkUsage, type RejectionSample, UsageAggregator } from './usage-aggregator.ts';
export { addCounters, COUNTER_NAMES, emptyCounters, type UsageCounters } from './usage-counters.ts';
