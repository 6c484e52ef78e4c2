/** Heroku-style generated app names ("floating-river-1234") for apps created without one. */

const ADJECTIVES = [
  'floating', 'quiet', 'ancient', 'shrouded', 'polar', 'mighty', 'sleepy', 'young', 'frozen', 'radiant',
  'hidden', 'calm', 'dry', 'glacial', 'morning', 'rocky', 'secret', 'sharp', 'still', 'twilight',
];
const NOUNS = [
  'river', 'meadow', 'sea', 'forest', 'lake', 'mountain', 'dawn', 'brook', 'cliff', 'wave',
  'harbor', 'island', 'plains', 'ridge', 'shore', 'savannah', 'thicket', 'garden', 'tundra', 'valley',
];

/** A name from `random` (a function returning [0, 1)), so callers and tests control the randomness. */
export function generateAppName(random: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const digits = String(Math.floor(random() * 10_000)).padStart(4, '0');
  return `${pick(ADJECTIVES)}-${pick(NOUNS)}-${digits}`;
}
