"""Trusted helpers that run INSIDE the worker next to the student's neural_networks.py (imported by
bare name), for what the parent cannot do over the pipe: build objects without the student's
__init__, hand the student's SGD a model of trusted modules, and run the student's main() with
trusted modules in place of the classes, so main's three snippets are graded on their own.

Whatever they return was computed next to the student's code: the parent judges it as data
(learned weights -> accuracy on the test rows, which never come here). No test label comes here.
"""
import numpy as np

BACKWARD_AFTER = {"L2": "loss", "drop1": "L2", "nonlinear1": "drop1", "L1": "nonlinear1"}
"""Whose backward output each module's backward must get in main's backward pass."""
FORWARD_INPUT_CHECKED = ("L2", "nonlinear1", "L1")
"""Modules whose backward must get their forward's input (dropout's backward uses only its mask)."""


def seeded_linear_layer(input_D, output_D, seed):
    """The student's linear_layer(input_D, output_D), with np.random seeded first."""
    import neural_networks

    np.random.seed(seed)
    return neural_networks.linear_layer(input_D, output_D)


def linear_layer_with(input_D, output_D, W, b):
    """The student's linear_layer with params W and b and zero gradients. Built by the student's
    __init__ as main builds it; when that raises, without it, so forward and backward are graded
    apart from __init__ (whose own tests say what is wrong with it)."""
    import neural_networks

    try:
        layer = neural_networks.linear_layer(input_D, output_D)
    except Exception:
        layer = neural_networks.linear_layer.__new__(neural_networks.linear_layer)
    layer.params = {"W": np.array(W, dtype=float), "b": np.array(b, dtype=float)}
    layer.gradient = {"W": np.zeros_like(layer.params["W"]), "b": np.zeros_like(layer.params["b"])}
    return layer


# --- trusted modules: the spec's maths, and a record of how main's snippets call them ----------------

class _Calls:
    """How main's backward snippet called the modules: per training step, each backward must get
    the gradient the module after it returned and (where it matters) its forward's input."""

    def __init__(self):
        self.modules = {}
        self.problems = {}
        self.steps = 0
        self.losses = []
        """What the loss's forward gave since the last update: after training, the evaluation loops'."""

    def check(self, name, X, grad):
        if not _same(grad, getattr(self.modules.get(BACKWARD_AFTER[name]), "returned", None)):
            self.problems.setdefault(name + ":grad", self.steps)
        if name in FORWARD_INPUT_CHECKED and not _same(X, self.modules[name].forward_input):
            self.problems.setdefault(name + ":X", self.steps)


def _same(a, b):
    """The same values (a copy counts), compared as bytes: no patched numpy function can fake it."""
    return (type(a) is np.ndarray and type(b) is np.ndarray and a.shape == b.shape and a.dtype == b.dtype
            and a.tobytes() == b.tobytes())


class _Module:
    forward_input = None
    returned = None

    def __init__(self, name, calls):
        self.name, self.calls = name, calls
        calls.modules[name] = self

    def _backward(self, X, grad, result):
        self.calls.check(self.name, X, grad)
        self.returned = result
        return result


class TrustedLinear(_Module):
    def __init__(self, name, calls, input_D, output_D):
        super().__init__(name, calls)
        self.params = {"W": np.random.normal(0, 0.1, (input_D, output_D)),
                       "b": np.random.normal(0, 0.1, (1, output_D))}
        self.gradient = {"W": np.zeros((input_D, output_D)), "b": np.zeros((1, output_D))}

    def forward(self, X):
        self.forward_input = X
        return X @ self.params["W"] + self.params["b"]

    def backward(self, X, grad):
        np.matmul(X.T, grad, out=self.gradient["W"])  # into the buffer: a training step allocates less
        np.sum(grad, axis=0, keepdims=True, out=self.gradient["b"])
        return self._backward(X, grad, grad @ self.params["W"].T)


class TrustedRelu(_Module):
    def forward(self, X):
        self.forward_input = X
        return np.maximum(0.0, X)

    def backward(self, X, grad):
        return self._backward(X, grad, grad * (X > 0))


class TrustedTanh(_Module):
    def forward(self, X):
        self.forward_input = X
        return np.tanh(X)

    def backward(self, X, grad):
        return self._backward(X, grad, grad * (1.0 - np.tanh(X) ** 2))


class TrustedDropout(_Module):
    def __init__(self, name, calls, r):
        super().__init__(name, calls)
        self.r, self.mask = r, None

    def forward(self, X, is_train):
        # The hand-out's given forward, draw for draw, so a run follows the reference's random stream.
        if is_train:
            self.mask = (np.random.uniform(0.0, 1.0, X.shape) >= self.r).astype(float) * (1.0 / (1.0 - self.r))
        else:
            self.mask = np.ones(X.shape)
        self.forward_input = X
        return np.multiply(X, self.mask)

    def backward(self, X, grad):
        return self._backward(X, grad, grad * self.mask)


class _StopMain(BaseException):
    """Ends main() after the training steps the backward-calls check needs (a BaseException: a
    student's `except Exception` does not swallow it)."""


def _trusted_classes(calls):
    """Stand-ins for the student's classes, named as main builds them (by construction order)."""
    import utils

    class Loss(utils.softmax_cross_entropy):
        def __init__(self):
            super().__init__()
            calls.modules["loss"] = self
            self.returned = None

        def forward(self, X, Y):
            loss = super().forward(X, Y)
            calls.losses.append(float(loss))
            return loss

        def backward(self, X, Y):
            self.returned = super().backward(X, Y)
            return self.returned

    linear_names = iter(("L1", "L2"))
    return {
        "linear_layer": lambda input_D, output_D: TrustedLinear(next(linear_names), calls, input_D, output_D),
        "relu": lambda: TrustedRelu("nonlinear1", calls),
        "tanh": lambda: TrustedTanh("nonlinear1", calls),
        "dropout": lambda r: TrustedDropout("drop1", calls, r),
        "softmax_cross_entropy": Loss,
    }


def _sgd(model, momentum, _lambda, _alpha, _learning_rate):
    """The spec's update, in place (the same numbers as the reference's, fewer temporaries)."""
    for module_name, module in model.items():
        if hasattr(module, "params"):
            for key, param in module.params.items():
                g = module.gradient[key]
                if _lambda:
                    g = g + _lambda * param
                if _alpha <= 0.0:
                    param -= _learning_rate * g
                else:
                    velocity = momentum[module_name + "_" + key]
                    velocity *= _alpha
                    velocity -= _learning_rate * g
                    param += velocity
    return model


def run_main(main_params, train_X, train_y, valid_X, valid_y, stop_after=0):
    """The student's main(main_params) with trusted modules, update and data (the rows given, as
    data_loader_mnist would read them; no test rows). stop_after > 0: end after that many
    training steps. Returns the learned parameters, the losses of the evaluation loops (after the
    last update, in call order: training rows, then validation rows) and the calls record."""
    import neural_networks

    calls = _Calls()
    captured = {}

    def sgd(model, momentum, _lambda, _alpha, _learning_rate):
        calls.steps += 1
        calls.losses = []
        captured["model"] = model
        _sgd(model, momentum, _lambda, _alpha, _learning_rate)
        if stop_after and calls.steps >= stop_after:
            raise _StopMain()
        return model

    empty = np.zeros((0, np.shape(train_X)[1]))
    replaced = dict(_trusted_classes(calls), miniBatchStochasticGradientDescent=sgd,
                    data_loader_mnist=lambda dataset: (np.array(train_X), np.array(train_y), np.array(valid_X),
                                                      np.array(valid_y), empty, np.zeros(0)))
    saved = {name: getattr(neural_networks, name, None) for name in replaced}
    for name, value in replaced.items():
        setattr(neural_networks, name, value)
    try:
        neural_networks.main(dict(main_params))
    except _StopMain:
        pass
    finally:
        for name, value in saved.items():
            setattr(neural_networks, name, value)
    model = captured.get("model", {})
    params = {f"{name}_{key}": np.asarray(value, dtype=float) for name in ("L1", "L2") if name in model
              for key, value in model[name].params.items()}
    return {"params": params, "losses": calls.losses, "steps": calls.steps, "problems": calls.problems}


def sgd_model(L1_W, L1_b, L2_W, L2_b):
    """main's model with trusted modules: two linear layers (params, zero gradients) and three
    modules without parameters, in main's order."""
    calls = _Calls()
    model = {"L1": TrustedLinear("L1", calls, 1, 1), "nonlinear1": TrustedRelu("nonlinear1", calls),
             "drop1": TrustedDropout("drop1", calls, 0.5), "L2": TrustedLinear("L2", calls, 1, 1),
             "loss": _Module("loss", calls)}
    for name, W, b in (("L1", L1_W, L1_b), ("L2", L2_W, L2_b)):
        model[name].params = {"W": np.array(W, dtype=float), "b": np.array(b, dtype=float)}
        model[name].gradient = {"W": np.zeros(np.shape(W)), "b": np.zeros(np.shape(b))}
    return model
