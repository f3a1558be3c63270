"""The exact LSTM: a byte-level network in float32 IEEE arithmetic, the same on every machine.

`network.ExactByteNetwork` builds it; its kernels (forward, bits, backward, adam) run inside the
codec's compiled loop, bit by bit. See `network` for what it computes and `elementary` for why its
exp is written out.
"""
