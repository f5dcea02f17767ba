"""Trusted helpers that run INSIDE the worker (copied there read-only), for work that must not
cross the pipe once per batch, such as a training loop. They import the student's modules by bare
name (codes/ is on the worker's sys.path) and return plain data only. Test labels never come here.
"""
import numpy as np


def train_and_predict(train_x, train_y, test_x, hidden=128, epochs=1, batch_size=100,
                      learning_rate=0.1, momentum=0.0, weight_decay=0.0, init_std=0.1, seed=0):
    """Train a Linear-Relu-Linear net with the student's layers, loss and solver; return the
    predicted test labels (int64) and the last epoch's training loss."""
    from layers import Linear, Relu
    from loss import SoftmaxCrossEntropyLoss
    from network import Network
    from solve_net import train_net

    np.random.seed(seed)
    model = Network()
    model.add(Linear("fc1", train_x.shape[1], hidden, init_std))
    model.add(Relu("relu1"))
    model.add(Linear("fc2", hidden, 10, init_std))
    config = {"learning_rate": learning_rate, "weight_decay": weight_decay, "momentum": momentum}
    loss = SoftmaxCrossEntropyLoss("loss")
    train_loss = float("nan")
    for _ in range(epochs):
        train_loss, _ = train_net(model, loss, config, train_x, train_y, batch_size, 0)
    model.eval()
    predictions = np.argmax(model.forward(test_x), axis=1).astype(np.int64)
    return {"predictions": predictions, "train_loss": float(train_loss)}
