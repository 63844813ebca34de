/**
 * Prints one line per notification the subscription service sends. Settings: PORT (9090), HOST
 * (127.0.0.1), NOTIFY_PATH (/notifications). Stops on Ctrl-C.
 */
import { formatNotification } from '@oncoimg/fhir-events';
import { startRestHookReceiver } from './receiver.ts';

const port = Number(process.env.PORT ?? '9090');
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  throw new Error(`PORT must be a port number, not ${JSON.stringify(process.env.PORT)}`);
}
const receiver = await startRestHookReceiver({
  port,
  host: process.env.HOST ?? '127.0.0.1',
  path: process.env.NOTIFY_PATH ?? '/notifications',
  onNotification: (notification) => {
    console.log(`${new Date().toISOString()} ${formatNotification(notification)}`);
  },
});
console.log(`rest-hook receiver listening at ${receiver.url}`);
process.once('SIGINT', () => void receiver.close());
process.once('SIGTERM', () => void receiver.close());
