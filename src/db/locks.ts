/** Advisory lock key (an arbitrary constant): every transaction that may leave fewer active admins (demotion, deactivation) takes it first. */
export const ADMINS_LOCK = 7_411_002;
