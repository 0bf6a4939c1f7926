import { registerEnumType } from 'type-graphql';

/** Every admin and security action the audit log records. */
export enum AuditAction {
  LOGIN = 'LOGIN',
  LOGIN_FAILED = 'LOGIN_FAILED',
  LOGIN_THROTTLED = 'LOGIN_THROTTLED',
  LOGOUT = 'LOGOUT',
  CHANGE_PASSWORD = 'CHANGE_PASSWORD',
  CREATE_USER = 'CREATE_USER',
  UPDATE_USER = 'UPDATE_USER',
  DEACTIVATE_USER = 'DEACTIVATE_USER',
  REACTIVATE_USER = 'REACTIVATE_USER',
  CREATE_API_KEY = 'CREATE_API_KEY',
  REVOKE_API_KEY = 'REVOKE_API_KEY',
  ROTATE_API_KEY = 'ROTATE_API_KEY',
  CREATE_WEBHOOK = 'CREATE_WEBHOOK',
  UPDATE_WEBHOOK = 'UPDATE_WEBHOOK',
  DELETE_WEBHOOK = 'DELETE_WEBHOOK',
  ROTATE_WEBHOOK_SECRET = 'ROTATE_WEBHOOK_SECRET',
  INVITE = 'INVITE',
  ACCEPT_INVITATION = 'ACCEPT_INVITATION',
  RESET_PASSWORD = 'RESET_PASSWORD',
}

/** Who acted, by kind. */
export enum AuditActorType {
  USER = 'USER',
  CONTACT = 'CONTACT',
  API_KEY = 'API_KEY',
  ANONYMOUS = 'ANONYMOUS',
}

registerEnumType(AuditAction, {
  name: 'AuditAction',
  description: 'An admin or security action recorded in the audit log.',
  valuesConfig: {
    LOGIN: { description: 'A successful login (the actor is the account).' },
    LOGIN_FAILED: { description: 'A failed login: wrong email or password, or a deactivated account (`details.email` holds the email tried).' },
    LOGIN_THROTTLED: { description: 'Failed logins reached the limit for an email or a client address: logins are refused for a while.' },
    LOGOUT: { description: 'A session was ended by its owner (`details.sessions`: how many).' },
    CHANGE_PASSWORD: { description: 'An account changed its own password; its other sessions ended.' },
    CREATE_USER: { description: 'An admin created a staff member.' },
    UPDATE_USER: { description: "An admin changed a staff member's name or role (`details` has the old and new values)." },
    DEACTIVATE_USER: { description: 'An admin deactivated a staff member or a contact login; its sessions and connections ended.' },
    REACTIVATE_USER: { description: 'An admin reactivated a staff member or a contact login.' },
    CREATE_API_KEY: { description: 'An admin created an API key.' },
    REVOKE_API_KEY: { description: 'An admin revoked an API key; its connections were closed.' },
    ROTATE_API_KEY: { description: 'An admin gave an API key a new secret (`details.graceSeconds`: how long the old one stays accepted).' },
    CREATE_WEBHOOK: { description: 'An admin created a webhook endpoint (`details` has its URL, events and includeInternal).' },
    UPDATE_WEBHOOK: { description: 'An admin changed a webhook endpoint (`details` has the fields changed, with their new values).' },
    DELETE_WEBHOOK: { description: 'An admin deleted a webhook endpoint.' },
    ROTATE_WEBHOOK_SECRET: { description: 'An admin gave a webhook endpoint a new signing secret (`details.overlapSeconds`: how long the old one still signs).' },
    INVITE: { description: 'An admin invited a staff member, or staff invited a contact, by mail (`details.expiresAt`: until when the link works).' },
    ACCEPT_INVITATION: { description: 'An invited account set its first password with the mailed link (the actor is the account).' },
    RESET_PASSWORD: { description: 'An account set a new password with a mailed reset link; its sessions ended (the actor is the account).' },
  },
});

registerEnumType(AuditActorType, {
  name: 'AuditActorType',
  description: 'The kind of actor behind an audit entry.',
  valuesConfig: {
    USER: { description: 'A staff member.' },
    CONTACT: { description: 'A customer contact.' },
    API_KEY: { description: 'An API key.' },
    ANONYMOUS: { description: 'Nobody signed in (e.g. a failed login).' },
  },
});
