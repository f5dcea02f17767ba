import math

import numpy as np


def sigmoid(u):
    """1 / (1 + e^-u), without overflow: the exponent is always -|u| <= 0."""
    e = np.exp(-np.abs(u))
    return np.where(u >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


class Layer(object):
    """The protocol every layer follows: forward(input) -> output, backward(grad_output) -> grad_input.

    forward keeps what backward needs with _saved_for_backward; `training` switches layers such as
    Dropout between training and evaluation.
    """

    def __init__(self, name, trainable=False):
        self.name = name
        self.trainable = trainable
        self.training = True
        self._saved_tensor = None

    def forward(self, input):
        pass

    def backward(self, grad_output):
        pass

    def update(self, config):
        pass

    def _saved_for_backward(self, tensor):
        '''The intermediate results computed during forward stage
        can be saved and reused for backward, for saving computation'''

        self._saved_tensor = tensor

    def __repr__(self):
        return '%s(%r)' % (type(self).__name__, self.name)


class Relu(Layer):
    """y = max(0, u); dy/du = 1 where u > 0, else 0."""

    def __init__(self, name):
        super(Relu, self).__init__(name)

    def forward(self, input):
        self._saved_for_backward(input)
        return np.maximum(0, input)

    def backward(self, grad_output):
        input = self._saved_tensor
        return grad_output * (input > 0)


class Sigmoid(Layer):
    """y = 1 / (1 + e^-u); dy/du = y (1 - y), so forward saves y, not u."""

    def __init__(self, name):
        super(Sigmoid, self).__init__(name)

    def forward(self, input):
        output = sigmoid(input)
        self._saved_for_backward(output)
        return output

    def backward(self, grad_output):
        output = self._saved_tensor
        return grad_output * output * (1 - output)


class Selu(Layer):
    """y = lambda u for u > 0, lambda alpha (e^u - 1) otherwise (Klambauer et al., 2017).

    dy/du = lambda for u > 0, lambda alpha e^u otherwise.
    """

    def __init__(self, name):
        super(Selu, self).__init__(name)
        self.lam = 1.0507
        self.alpha = 1.67326

    def forward(self, input):
        # TODO START
        raise NotImplementedError("Selu.forward")
        # TODO END

    def backward(self, grad_output):
        # TODO START
        raise NotImplementedError("Selu.backward")
        # TODO END


class Swish(Layer):
    """y = u sigmoid(u) (Ramachandran et al., 2017); dy/du = s + u s (1 - s), s = sigmoid(u)."""

    def __init__(self, name):
        super(Swish, self).__init__(name)

    def forward(self, input):
        # TODO START
        raise NotImplementedError("Swish.forward")
        # TODO END

    def backward(self, grad_output):
        # TODO START
        raise NotImplementedError("Swish.backward")
        # TODO END


class Gelu(Layer):
    """y = 0.5 u (1 + tanh(k (u + 0.044715 u^3))), k = sqrt(2 / pi) (Hendrycks & Gimpel, 2016).

    With t = tanh(k (u + 0.044715 u^3)):
    dy/du = 0.5 (1 + t) + 0.5 u (1 - t^2) k (1 + 3 * 0.044715 u^2).
    """

    def __init__(self, name):
        super(Gelu, self).__init__(name)
        self.k = math.sqrt(2 / math.pi)  # a Python float: float32 inputs stay float32
        self.c = 0.044715

    def forward(self, input):
        # TODO START
        raise NotImplementedError("Gelu.forward")
        # TODO END

    def backward(self, grad_output):
        # TODO START
        raise NotImplementedError("Gelu.backward")
        # TODO END


class Tanh(Layer):
    """y = tanh(u); dy/du = 1 - y^2, so forward saves y."""

    def __init__(self, name):
        super(Tanh, self).__init__(name)

    def forward(self, input):
        # TODO START
        raise NotImplementedError("Tanh.forward")
        # TODO END

    def backward(self, grad_output):
        # TODO START
        raise NotImplementedError("Tanh.backward")
        # TODO END


class Linear(Layer):
    """u = x W + b for a batch x of shape (N, in_num).

    Backward with g = dL/du: dL/dW = x^T g, dL/db = sum of g over the batch, dL/dx = g W^T.
    update: diff = momentum * diff + (grad + weight_decay * param); param -= learning_rate * diff.
    """

    def __init__(self, name, in_num, out_num, init_std):
        super(Linear, self).__init__(name, trainable=True)
        self.in_num = in_num
        self.out_num = out_num
        self.W = np.random.randn(in_num, out_num) * init_std
        self.b = np.zeros(out_num)

        self.grad_W = np.zeros((in_num, out_num))
        self.grad_b = np.zeros(out_num)

        self.diff_W = np.zeros((in_num, out_num))
        self.diff_b = np.zeros(out_num)

    def forward(self, input):
        # TODO START
        raise NotImplementedError("Linear.forward")
        # TODO END

    def backward(self, grad_output):
        # TODO START
        raise NotImplementedError("Linear.backward")
        # TODO END

    def update(self, config):
        mm = config['momentum']
        lr = config['learning_rate']
        wd = config['weight_decay']

        # TODO START
        raise NotImplementedError("Linear.update")
        # TODO END


class Dropout(Layer):
    """Inverted dropout: while training, y = u * m / (1 - p) with m_i = [U_i >= p], U_i ~ U[0, 1).

    A fresh mask each forward; backward multiplies by the same mask and scale. In evaluation
    mode it is the identity, so nothing needs rescaling at test time.
    """

    def __init__(self, name, drop_rate=0.5):
        super(Dropout, self).__init__(name)
        self.drop_rate = drop_rate

    def forward(self, input):
        # TODO START
        raise NotImplementedError("Dropout.forward")
        # TODO END

    def backward(self, grad_output):
        # TODO START
        raise NotImplementedError("Dropout.backward")
        # TODO END
