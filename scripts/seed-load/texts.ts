import type { Rng } from './random';
import {
  COMPANY_TRADES, COMPANY_WORDS, CONTEXTS, DETAILS, DEVICES, FIRST_NAMES, GREETINGS, HOSTS, LAST_NAMES, ORDINALS, PROBLEMS, SERVICES,
  SIGN_OFFS, SITES, SUBJECTS,
} from './vocabulary';

/** Titles, descriptions, company names and numbers as people type them, from the vocabulary. */

/** A title family's variant with its slots filled, sometimes typed carelessly. */
export function fillTitle(rng: Rng, variant: string): string {
  const title = variant.replace(/\{(\w+)\}/g, (_, slot: string) => {
    switch (slot) {
      case 'floor': return String(1 + rng.int(12));
      case 'ord': return rng.pick(ORDINALS);
      case 'inv': return `INV-${2024 + rng.int(3)}-${String(rng.int(100_000)).padStart(5, '0')}`;
      case 'n': return String(2 + rng.int(30));
      case 'name': return `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`;
      case 'host': return rng.pick(HOSTS);
      case 'service': return rng.pick(SERVICES);
      case 'site': return rng.pick(SITES);
      case 'device': return rng.pick(DEVICES);
      default: return slot;
    }
  });
  const roll = rng.next();
  if (roll < 0.08) return title.charAt(0).toLowerCase() + title.slice(1);
  if (roll < 0.12) return `${title}!`;
  if (roll < 0.15) return `Re: ${title}`;
  if (roll < 0.17) return `URGENT: ${title}`;
  return title;
}

/** A one-of-a-kind title: what does not recur. */
export function longTailTitle(rng: Rng, number: number): string {
  const base = `${rng.pick(SUBJECTS)} ${rng.pick(PROBLEMS)} ${rng.pick(CONTEXTS)}`;
  return rng.chance(0.6) ? `${base} (case ${number.toString(36).toUpperCase()})` : base;
}

export function describe(rng: Rng, title: string, name: string | null): string {
  return `${rng.pick(GREETINGS)}\n\n${title}. ${rng.pick(DETAILS)} ${rng.pick(DETAILS)}\n\n${rng.pick(SIGN_OFFS)}${name ? `\n${name}` : ''}`;
}

/** The company a web-form or email sender names: mostly their business, spelled their way. */
export function companyName(rng: Rng, actual: string | null): string {
  if (actual && rng.chance(0.7)) return rng.chance(0.5) ? actual.toLowerCase() : actual.replace(/ (GmbH|AG|Ltd|Inc\.|LLC|SA|BV|Co\.)$/, '');
  return `${rng.pick(COMPANY_WORDS)} ${rng.pick(COMPANY_TRADES)}`;
}

export function phone(rng: Rng): string {
  return `+49 ${30 + rng.int(70)} ${100000 + rng.int(900000)}`;
}

/** The alphabet of the references intake.service.ts hands out (no 0/O, 1/I), drawn from the seeded generator. */
const REFERENCE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export function referenceSuffix(rng: Rng): string {
  let suffix = '';
  for (let i = 0; i < 4; i += 1) suffix += REFERENCE_ALPHABET[rng.int(REFERENCE_ALPHABET.length)];
  return suffix;
}
