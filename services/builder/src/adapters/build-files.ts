import type { Sandbox } from '../buildpacks/context.js';

/**
 * File work on a build's trees once build code has run there, done by commands in the build's own
 * sandbox: whatever links build code planted (`.profile.d -> /etc/profile.d`) are followed with
 * the build's rights and in its view, never the builder's. Paths are host paths.
 */
export class BuildFiles {
  constructor(private readonly sandbox: Sandbox, private readonly signal: AbortSignal) {}

  /** Writes a file (its directory made when missing) with the given mode. */
  async write(path: string, content: string, mode = '644'): Promise<void> {
    const script = 'mkdir -p "$(dirname "$1")" && rm -f "$1" && printf %s "$2" > "$1" && chmod "$3" "$1"';
    await this.shell(script, [this.sandbox.at(path), content, mode]);
  }

  /** The symbolic links directly in `dir`: name and target. */
  async links(dir: string): Promise<{ name: string; target: string }[]> {
    const script = 'for f in "$1"/* "$1"/.[!.]*; do [ -L "$f" ] && printf "%s\\t%s\\n" "${f##*/}" "$(readlink "$f")"; done; exit 0';
    const lines = await this.shell(script, [this.sandbox.at(dir)]);
    return lines.map((l) => l.split('\t')).filter((p) => p.length === 2).map(([name, target]) => ({ name, target }));
  }

  /** Removes files (a link itself, never what it leads to). */
  async remove(paths: readonly string[]): Promise<void> {
    if (paths.length > 0) await this.shell('rm -f -- "$@"', paths.map((p) => this.sandbox.at(p)));
  }

  /**
   * Rewrites the first lines of the regular files in `dir` that start with `#!`: `from` (an extended
   * regular expression) becomes `to`, on line 1 whole when `#!from` starts it, else wherever it
   * appears in lines 1-5 (pip's long-path launchers).
   */
  async rewriteShebangs(dir: string, from: string, to: string, lineOne: string): Promise<void> {
    const script = [
      'find "$1" -maxdepth 1 -type f | while IFS= read -r f; do',
      '  head -c 2 "$f" | grep -q "^#!" || continue',
      '  sed -i -E -e "1s|^#!$2.*\\$|#!$4|" -e "1,5s|$2|$3|g" "$f"',
      'done',
    ].join('\n');
    await this.shell(script, [this.sandbox.at(dir), from, to, lineOne]);
  }

  private async shell(script: string, args: readonly string[]): Promise<string[]> {
    const lines: string[] = [];
    await this.sandbox.run(['sh', '-c', script, 'sh', ...args], { cwd: '/', env: { PATH: this.sandbox.path() }, signal: this.signal, onLine: (l) => lines.push(l) });
    return lines;
  }
}
