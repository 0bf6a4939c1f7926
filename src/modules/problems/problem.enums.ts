import { registerEnumType } from 'type-graphql';

export enum ProblemStatus {
  INVESTIGATING = 'INVESTIGATING',
  KNOWN_ERROR = 'KNOWN_ERROR',
  FIXED = 'FIXED',
}

registerEnumType(ProblemStatus, {
  name: 'ProblemStatus',
  description: 'Where the work on a problem stands.',
  valuesConfig: {
    INVESTIGATING: { description: 'The cause is being looked for.' },
    KNOWN_ERROR: { description: 'The cause is known (see `rootCause`); a fix or workaround is pending.' },
    FIXED: { description: 'The cause is removed.' },
  },
});
