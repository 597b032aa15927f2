"""Activation layers with arguments: ReLU, LeakyReLU, PReLU, ELU, Softmax."""
