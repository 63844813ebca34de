/** How the timeline service names itself: Kafka client, metrics, CloudEvents `ce_source`, audit observer. */
export const TIMELINE_SERVICE_NAME = 'timeline-service';
export const TIMELINE_SERVICE_SOURCE = `oncoimg/${TIMELINE_SERVICE_NAME}`;
