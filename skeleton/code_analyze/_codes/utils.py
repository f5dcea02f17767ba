from __future__ import division
from datetime import datetime

import numpy as np


def onehot_encoding(label, max_num_class, dtype=np.float64):
    encoding = np.eye(max_num_class, dtype=dtype)
    encoding = encoding[label]
    return encoding


def calculate_acc(output, label):
    correct = np.sum(np.argmax(output, axis=1) == label)
    return correct / len(label)


def LOG_INFO(msg):
    now = datetime.now()
    display_now = str(now).split(' ')[1][:-3]
    print(display_now + ' ' + msg)
