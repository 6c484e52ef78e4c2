import { createHash } from 'node:crypto';
import { invalid } from '@paas/contracts';

/**
 * The add-on catalogue as data: each service (and its plans) is described by its provider module;
 * this file only reads those descriptions. Nothing here knows a particular service.
 */

export interface PlanSpec {
  /** Short name within the service ("essential-0"). */
  readonly name: string;
  readonly id: string;
  readonly humanName: string;
  readonly priceCentsPerMonth: number;
  readonly default?: boolean;
  /** What the plan allows, as recorded (connections, storageGb, memoryMb, ...). */
  readonly limits: Readonly<Record<string, number>>;
}

/** How a service's attachments are named and which config vars they set. */
export interface AttachSpec {
  /** The first attachment of the service on an app ("DATABASE" -> DATABASE_URL). */
  readonly primary: string;
  /** Later attachments are <prefix>_<COLOR> ("HEROKU_POSTGRESQL_RED"). */
  readonly prefix: string;
  /** The primary attachment also sets <prefix>_<COLOR>_URL, as Heroku Postgres does. */
  readonly colorAlias: boolean;
}

export interface ServiceSpec {
  readonly id: string;
  readonly name: string;
  readonly humanName: string;
  /** Add-on names are <namePrefix>-<word>-<digits> ("postgresql-shaped-12345"). */
  readonly namePrefix: string;
  readonly attach: AttachSpec;
  readonly plans: readonly PlanSpec[];
}

/** A plan the catalogue knows, with its service. */
export interface ResolvedPlan {
  readonly service: ServiceSpec;
  readonly plan: PlanSpec;
}

/** The plan a user means by "service" (its default plan) or "service:plan"; else invalid, naming what exists. */
export function resolvePlan(catalogue: readonly ServiceSpec[], text: string): ResolvedPlan {
  const [serviceName = '', planName] = text.trim().toLowerCase().split(':', 2);
  const service = catalogue.find((s) => s.name === serviceName);
  if (!service) {
    throw invalid(`Couldn't find either the add-on service or the add-on plan of "${text.trim()}". Available services: ${catalogue.map((s) => s.name).join(', ')} (heroku addons:services).`);
  }
  const plan = planName === undefined || planName === '' ? service.plans.find((p) => p.default) ?? service.plans[0]! : service.plans.find((p) => p.name === planName);
  if (!plan) throw invalid(`${service.name} has no plan "${planName}". Its plans: ${service.plans.map((p) => p.name).join(', ')} (heroku addons:plans ${service.name}).`);
  return { service, plan };
}

export function serviceOf(catalogue: readonly ServiceSpec[], name: string): ServiceSpec {
  const service = catalogue.find((s) => s.name === name);
  if (!service) throw new Error(`add-on service ${name} is in the log but not in the catalogue: was its provider module removed?`);
  return service;
}

const WORDS = [
  'amorphous', 'angular', 'clear', 'concave', 'convex', 'cubed', 'curved', 'deep', 'elliptical', 'flat', 'fluffy',
  'horizontal', 'opaque', 'parallel', 'regular', 'rigid', 'round', 'shaped', 'silhouetted', 'slippery', 'solid',
  'spherical', 'symmetrical', 'tetrahedral', 'transparent', 'triangular', 'vertical', 'contoured', 'dimensional', 'acute',
];

/** A Heroku-style add-on name for the service, from a random source (so the domain stays pure). */
export function addonNameFor(service: ServiceSpec, random: () => number): string {
  const word = WORDS[Math.floor(random() * WORDS.length)]!;
  const digits = String(Math.floor(random() * 90_000) + 10_000);
  return `${service.namePrefix}-${word}-${digits}`;
}

export const COLORS = [
  'AMBER', 'AQUA', 'BLACK', 'BLUE', 'BRONZE', 'BROWN', 'CHARCOAL', 'COBALT', 'COPPER', 'CRIMSON', 'CYAN', 'GOLD', 'GRAY',
  'GREEN', 'IVORY', 'JADE', 'LIME', 'MAROON', 'MAUVE', 'NAVY', 'OLIVE', 'ONYX', 'ORANGE', 'PINK', 'PUCE', 'PURPLE', 'RED',
  'ROSE', 'SILVER', 'TEAL', 'VIOLET', 'WHITE', 'YELLOW',
] as const;

/** The add-on's color name ("HEROKU_POSTGRESQL_<COLOR>"), stable per add-on, avoiding names already taken on the app. */
export function colorName(prefix: string, addonId: string, taken: (name: string) => boolean): string {
  const start = createHash('sha256').update(addonId).digest().readUInt32BE(0) % COLORS.length;
  for (let i = 0; i < COLORS.length; i++) {
    const name = `${prefix}_${COLORS[(start + i) % COLORS.length]}`;
    if (!taken(name)) return name;
  }
  return `${prefix}_${addonId.replace(/-/g, '').slice(0, 8).toUpperCase()}`;
}
