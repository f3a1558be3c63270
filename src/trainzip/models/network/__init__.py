"""The neural half of the mix: a byte-level network trained online, and its recorded settings.

`config` is free of PyTorch, so reading a file's settings or choosing a level imports no network
library; the network itself is imported only where a block is coded with it.
"""
