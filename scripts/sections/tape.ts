/**
 * Demo section: the tape of ½xᵀAx's gradient computation for a 2×2 A, recorded at an outer level
 * so the backward pass shows as nodes, followed by its stats. See docs/walkthrough.md for the
 * full story.
 */
import { dot, matmul, mul, tensor, type Tensor } from '../../src/autodiff/index.js';
import { formatTape, recordGradTape, recordTape, tapeStats } from '../../src/autodiff/inspect.js';

/** The printable section, no trailing newline. */
export function tapeSection(): string {
  const A = tensor([
    [2, 1],
    [0, 3],
  ]);
  const f = (x: Tensor): Tensor => mul(0.5, dot(x, matmul(A, x)));
  const recording = recordGradTape(f, tensor([1, 2]));
  const withGrad = tapeStats(recording);
  const alone = tapeStats(recordTape(f, tensor([1, 2])));
  return [
    'The tape: recording ∇f for f(x) = ½xᵀAx, A = [[2, 1], [0, 3]], x = (1, 2)',
    '',
    'grad(f) runs inside an outer tape, so the VJP rules of its backward sweep are recorded too',
    '(double backward). The gradient ½(A + Aᵀ)x = (3, 6.5) is the last node.',
    '',
    formatTape(recording, { level: false }),
    '',
    `tapeStats: ${withGrad.nodes} nodes and ${withGrad.bytesHeld} bytes held, against ${alone.nodes} nodes and ${alone.bytesHeld} bytes for f alone.`,
    'Sweeping this tape backward from the gradient with seed v gives Hv (reverse over reverse);',
    'replaying it forward with tangent v gives Hv too (forward over reverse).',
  ].join('\n');
}
