import { useEffect, useState } from 'react';

export interface TimelineNotice {
  patientKey: string;
  version: number;
}

/**
 * Subscribes to the service's server-sent events. Returns the latest notice and whether the
 * stream is connected; EventSource reconnects by itself after a drop.
 */
export function useTimelineNotices(): { latest: TimelineNotice | null; connected: boolean } {
  const [latest, setLatest] = useState<TimelineNotice | null>(null);
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    const source = new EventSource('/api/events');
    source.onopen = () => setConnected(true);
    source.onerror = () => setConnected(false);
    source.addEventListener('timeline', (event) => {
      setLatest(JSON.parse((event as MessageEvent<string>).data) as TimelineNotice);
    });
    return () => source.close();
  }, []);
  return { latest, connected };
}
