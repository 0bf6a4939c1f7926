/** Descriptions shared by many schema elements, so the partner reference says the same thing everywhere. */
export const INPUT = 'What to do; see the input type for each field.';
