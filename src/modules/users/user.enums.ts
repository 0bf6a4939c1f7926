import { registerEnumType } from 'type-graphql';

/** Who a viewer is. ADMIN and AGENT are staff users; CUSTOMER is a contact with a password. */
export enum Role {
  ADMIN = 'ADMIN',
  AGENT = 'AGENT',
  CUSTOMER = 'CUSTOMER',
}

/** Whether an agent takes new tickets; agents set it themselves. */
export enum Availability {
  AVAILABLE = 'AVAILABLE',
  AWAY = 'AWAY',
}

registerEnumType(Availability, {
  name: 'Availability',
  description: 'Whether an agent takes new tickets.',
  valuesConfig: {
    AVAILABLE: { description: 'Takes new tickets.' },
    AWAY: { description: 'Away: automatic assignment skips this agent.' },
  },
});

/** Roles a staff user can hold (customers are contacts, not users). */
export type StaffRole = Role.ADMIN | Role.AGENT;

registerEnumType(Role, {
  name: 'Role',
  description: 'The kind of account: staff (ADMIN, AGENT) or a customer contact (CUSTOMER).',
  valuesConfig: {
    ADMIN: { description: 'Staff with every right, including users, API keys and settings.' },
    AGENT: { description: 'Support staff: reads every ticket and works on them.' },
    CUSTOMER: { description: "A business's contact who logged in: sees only that business's tickets." },
  },
});
