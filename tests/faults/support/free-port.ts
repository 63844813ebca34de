export { freePort, freePortPair } from '@oncoimg/testing';
