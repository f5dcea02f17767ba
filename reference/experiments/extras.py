"""The Montreal version's optional experiments: how exact must backpropagation be?

Each variant is a subclass of the reference Linear that changes one thing, and only in the hidden
layers (every Linear after the first, whose input is a hidden activation h):
- FeedbackAlignmentLinear: backward sends g B^T instead of g W^T, B random (Lillicrap et al., 2016),
  drawn once ("fixed") or afresh on every backward ("redrawn").
- StaleWeightLinear: backward sends g W_{t-k}^T, W as it was k updates ago.
- NoisyInputLinear: gaussian noise on h in the forward pass, in grad_W = h^T g, in both with the same
  sample, or in both with fresh samples.
- RoundedInputLinear: h rounded to a number of decimals (the gradient passes straight through).
They live here, not in reference/codes/, because codes/ becomes the student hand-out.
"""
from collections import deque

import numpy as np

from layers import Linear

NOISE_MODES = ('forward', 'backward', 'same', 'fresh')


class LinearVariant(Linear):
    """A Linear adopted from a built model: same name, weights and state, plus the variant's own."""

    @classmethod
    def adopting(cls, layer, **options):
        variant = cls.__new__(cls)
        variant.__dict__.update(layer.__dict__)
        variant.setup(**options)
        return variant

    def setup(self):
        pass


class FeedbackAlignmentLinear(LinearVariant):
    """grad_input = g B^T, B ~ N(0, std(W_0)^2) of W's shape; grad_W and grad_b are unchanged."""

    def setup(self, redraw=False):
        self.redraw = redraw
        self.scale = float(self.W.std())
        self.B = np.random.randn(*self.W.shape) * self.scale

    def backward(self, grad_output):
        super(FeedbackAlignmentLinear, self).backward(grad_output)  # sets grad_W, grad_b
        if self.redraw:
            self.B = np.random.randn(*self.W.shape) * self.scale
        return grad_output @ self.B.T


class StaleWeightLinear(LinearVariant):
    """grad_input = g W_{t-k}^T: the weights of k updates ago (the oldest kept until k have happened)."""

    def setup(self, k=1):
        self.history = deque([self.W.copy()], maxlen=k + 1)

    def backward(self, grad_output):
        super(StaleWeightLinear, self).backward(grad_output)
        return grad_output @ self.history[0].T

    def update(self, config):
        super(StaleWeightLinear, self).update(config)
        self.history.append(self.W.copy())


class NoisyInputLinear(LinearVariant):
    """While training, h + eps with eps ~ N(0, std^2) replaces h in the forward pass ("forward"), in
    grad_W = h^T g ("backward"), in both with one sample ("same") or with two ("fresh")."""

    def setup(self, std=0.1, on='same'):
        if on not in NOISE_MODES:
            raise ValueError('noise mode %r is not one of %s' % (on, ', '.join(NOISE_MODES)))
        self.std = std
        self.on = on

    def _noisy(self, h):
        return h + np.random.randn(*h.shape) * self.std

    def forward(self, input):
        if not self.training:
            return super(NoisyInputLinear, self).forward(input)
        noisy = self._noisy(input)
        seen = noisy if self.on in ('forward', 'same', 'fresh') else input
        remembered = {'forward': input, 'backward': noisy, 'same': noisy}.get(self.on)
        if remembered is None:  # "fresh": the backward pass gets its own sample
            remembered = self._noisy(input)
        self._saved_for_backward(remembered)
        return seen @ self.W + self.b


class RoundedInputLinear(LinearVariant):
    """u = round(h, decimals) W + b; dL/dh = g W^T as if h were not rounded (straight through)."""

    def setup(self, decimals=1):
        self.decimals = decimals

    def forward(self, input):
        return super(RoundedInputLinear, self).forward(np.round(input, self.decimals))


VARIANTS = {
    'feedback': lambda layer, extra: FeedbackAlignmentLinear.adopting(layer, redraw=extra['redraw']),
    'stale': lambda layer, extra: StaleWeightLinear.adopting(layer, k=extra['k']),
    'noise': lambda layer, extra: NoisyInputLinear.adopting(layer, std=extra['std'], on=extra['on']),
    'round': lambda layer, extra: RoundedInputLinear.adopting(layer, decimals=extra['decimals']),
}


def apply_extra(model, extra):
    """Replaces every Linear of model after the first by the variant extra describes (None: no change)."""
    if not extra:
        return model
    linears = [i for i, layer in enumerate(model.layer_list) if isinstance(layer, Linear)]
    for i in linears[1:]:
        model.layer_list[i] = VARIANTS[extra['kind']](model.layer_list[i], extra)
    return model

