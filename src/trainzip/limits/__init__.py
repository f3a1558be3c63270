"""Holding every code against its limit: sources of known entropy rate, KT references, regret.

Sits on top of coding, the prequential loop and the codec; nothing in trainzip imports it.
"""
