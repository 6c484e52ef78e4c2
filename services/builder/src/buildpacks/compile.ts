import type { Detection } from '../domain/detect.js';
import type { BuildContext, CompileResult } from './context.js';
import { compileDocker } from './docker.js';
import { compileNode } from './node.js';
import { compilePython } from './python.js';

/** Runs the detected buildpack over the app dir. */
export function compile(detection: Detection, ctx: BuildContext): Promise<CompileResult> {
  switch (detection.buildpack) {
    case 'nodejs': return compileNode(ctx, detection.pkg);
    case 'python': return compilePython(ctx, detection.installer, detection.django);
    case 'docker': return compileDocker(ctx, detection.herokuYml);
    case 'procfile': return Promise.resolve({});
  }
}
