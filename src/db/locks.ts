/**
 * Advisory lock keys (arbitrary constants). TIMELINE_LOCK: every transaction that writes timeline
 * entries takes it first (see TimelinePublisher), and so do the database's writers of report_hour.
 */
export const TIMELINE_LOCK = 7_411_001;

/** ADMINS_LOCK: every transaction that may leave fewer active admins (demotion, deactivation) takes it first. */
export const ADMINS_LOCK = 7_411_002;
