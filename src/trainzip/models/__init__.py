"""Learners that predict the next byte: count-based context models, a network, and their mixer.

Models know nothing of coding: they produce probabilities (integers, for the count models) and
learn from the symbols they are given.
"""
