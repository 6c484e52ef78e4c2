/** A Procfile's process types, or the line that is wrong with it. */
export type ProcfileResult =
  | { ok: true; processTypes: Record<string, string> }
  | { ok: false; error: string };

const LINE = /^([A-Za-z0-9_-]+):\s*(.*)$/;

/** Parses a Procfile: `type: command` a line, blank lines and # comments allowed. */
export function parseProcfile(text: string): ProcfileResult {
  const processTypes: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) {
      return { ok: false, error: `Procfile line ${i + 1} is not "<process type>: <command>" (process types use letters, digits, "_" and "-"): ${line.slice(0, 80)}` };
    }
    const [, type, command] = m;
    if (command.trim() === '') {
      return { ok: false, error: `Procfile line ${i + 1}: process type "${type}" has no command` };
    }
    if (type in processTypes) {
      return { ok: false, error: `Procfile line ${i + 1}: process type "${type}" is defined twice` };
    }
    processTypes[type] = command.trim();
  }
  return { ok: true, processTypes };
}

export { addonPlansOf, parseAppJson, type AppJson, type AppJsonEnvEntry, type AppJsonResult } from './app-json.js';
