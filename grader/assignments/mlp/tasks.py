"""Trusted helpers that run INSIDE the worker (copied there read-only), for work that must not cross
the pipe once per step: the training loop. They import the student's modules by bare name (codes/
is on the worker's sys.path) and return plain data only.

Whatever they return was computed next to the student's code, so the parent treats it as data to
judge, never as a verdict: the parent computes the test predictions itself from the learned
weights. Test images and labels never come here.
"""
import numpy as np
from grader_tasklib import TrustedRelu, scale_pixels  # the given Relu (graded on what the student wrote), (x - 128) / 255


def train_weights(train_images, train_y, hidden=128, epochs=2, batch_size=100, learning_rate=0.1,
                  final_rate=0.02, momentum=0.9, weight_decay=0.0, init_std=0.05, seed=0):
    """solve_net.train_net's loop on Linear(784, hidden) - Relu - Linear(hidden, 10) with the
    student's Linear (forward, backward, update) and SoftmaxCrossEntropyLoss (forward, then
    backward on the same object). config["learning_rate"] decays linearly from learning_rate to
    final_rate * learning_rate over the run (the same dict, changed between batches as run_mlp.py
    changes it between epochs): two epochs then clear 95% with a margin. Returns the learned W
    and b of both layers and every batch loss the student's forward returned.

    Images come as uint8 (an eighth of float64 on the pipe and in memory) and are scaled one
    batch at a time, so MNIST is never held as float64 whole."""
    from layers import Linear
    from loss import SoftmaxCrossEntropyLoss

    train_images = np.asarray(train_images).reshape(len(train_images), -1)
    np.random.seed(seed)  # the student's Linear draws its weights from np.random
    fc1, relu = Linear("fc1", train_images.shape[1], hidden, init_std), TrustedRelu()
    fc2 = Linear("fc2", hidden, 10, init_std)
    layers = (fc1, relu, fc2)
    loss = SoftmaxCrossEntropyLoss("loss")
    config = {"learning_rate": learning_rate, "weight_decay": weight_decay, "momentum": momentum}
    order, eye, losses = np.random.RandomState(seed), np.eye(10), []
    steps = epochs * -(-len(train_images) // batch_size)
    for _ in range(epochs):
        index = order.permutation(len(train_images))
        for start in range(0, len(index), batch_size):
            config["learning_rate"] = learning_rate * (1 - (1 - final_rate) * len(losses) / steps)
            batch = index[start:start + batch_size]
            output, target = scale_pixels(train_images[batch]), eye[train_y[batch]]
            for layer in layers:
                output = layer.forward(output)
            losses.append(loss.forward(output, target))
            grad = loss.backward(output, target)
            for layer in reversed(layers):
                grad = layer.backward(grad)
            fc1.update(config)
            fc2.update(config)
    return {"W1": fc1.W, "b1": fc1.b, "W2": fc2.W, "b2": fc2.b, "losses": losses}
