/** `heroku run <type> [args]` runs that process type's command (with the args appended), as on Heroku. */
export function substituteProcessType(command: string, processTypes: Readonly<Record<string, string>>): string {
  const [first, ...rest] = command.trim().split(/\s+/);
  const procfile = processTypes[first];
  if (!procfile) return command;
  return rest.length ? `${procfile} ${rest.join(' ')}` : procfile;
}
