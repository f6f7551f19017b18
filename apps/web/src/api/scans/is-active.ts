/** A scan (or a scan item) that is still going: queued or running. */
export const isActive = (status: string) => status === 'queued' || status === 'running';
