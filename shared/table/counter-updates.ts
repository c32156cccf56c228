import { COUNTER_NAMES, type UsageCounters } from '../usage/usage-counters.ts';

/** `ADD #downloadBytes :downloadBytes, …`: an update that adds all six counters at once. */
export const ADD_COUNTERS = `ADD ${COUNTER_NAMES.map((name) => `#${name} :${name}`).join(', ')}`;

/** The attribute names of ADD_COUNTERS. */
export const COUNTER_NAMES_MAP = Object.fromEntries(
  COUNTER_NAMES.map((name) => [`#${name}`, name]),
);

/** The attribute values of ADD_COUNTERS for these counters. */
export const counterValues = (counters: UsageCounters) =>
  Object.fromEntries(COUNTER_NAMES.map((name) => [`:${name}`, counters[name]]));
