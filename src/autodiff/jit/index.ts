/** jit: trace → plan → code → run. See jit.ts for what a compiled function is specialised on. */
export { jit, compileFunction, type JitOptions, type Jitted, type Lowered } from './jit.js';
