/** Moved to @oncoimg/testing: the page sign-in tests need a port known before the service starts. */
export { freePort, freePortPair } from '@oncoimg/testing';
