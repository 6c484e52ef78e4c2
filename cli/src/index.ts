export { run } from './main.js';
export { buildProgram } from './program.js';
export { Context } from './context.js';
export { Ui } from './output/ui.js';
