import { fillPlaceholders, unknownPlaceholders } from '../../src/modules/macros/placeholders';

describe('macro placeholders', () => {
  it('names each unknown placeholder once, as written, and accepts spaces inside the braces', () => {
    expect(unknownPlaceholders('Hi {{ contact.name }}, {{contact.phone}} {{ticket.secret}} {{contact.phone}} {{}}')).toEqual(['contact.phone', 'ticket.secret', '']);
    expect(unknownPlaceholders('Ticket #{{ticket.number}} for {{business.name}} by {{agent.name}}')).toEqual([]);
  });

  it('fills known placeholders and leaves a missing value empty', () => {
    expect(fillPlaceholders('Hi {{ contact.name }}, #{{ticket.number}} at {{business.name}}.', { 'contact.name': 'Carol', 'ticket.number': '42' })).toBe(
      'Hi Carol, #42 at .',
    );
  });
});
