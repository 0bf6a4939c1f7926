/**
 * Advisory lock keys (arbitrary constants). TIMELINE_LOCK: every transaction that writes timeline
 * entries takes it first (see TimelinePublisher), and so do the database's writers of report_hour.
 */
export const TIMELINE_LOCK = 7_411_001;
