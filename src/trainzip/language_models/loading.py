"""Open a causal language model and its tokenizer from a local directory or a user's Python file,
never from the network (a model named by hub id is refused rather than downloaded)."""

from __future__ import annotations

import importlib.util
import os

from trainzip.errors import TrainzipError


def load_causal_lm(where: str):
    """(model, tokenizer) from a Hugging Face model directory, or from a ``.py`` file whose
    ``load()`` returns them; the model in float32 and eval mode."""
    if where.endswith(".py") and os.path.isfile(where):
        model, tokenizer = _from_module(where)
    elif os.path.isdir(where):
        model, tokenizer = _from_directory(where)
    else:
        raise TrainzipError(f"{where}: no such model directory or .py file (models are never downloaded)")
    return model.float().eval(), tokenizer


def _from_directory(path: str):
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging

    logging.disable_progress_bar()  # a bar per load on stderr would bury the figures
    try:
        tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        model = AutoModelForCausalLM.from_pretrained(path, local_files_only=True)
    except (OSError, ValueError, KeyError) as error:  # no config/tokenizer files, or not a causal LM
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise TrainzipError(f"{path}: not a causal language model with its tokenizer ({first_line})") from None
    return model, tokenizer


def _from_module(path: str):
    spec = importlib.util.spec_from_file_location("trainzip_user_lm", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if not callable(getattr(module, "load", None)):
        raise TrainzipError(f"{path}: defines no load() returning (model, tokenizer)")
    return module.load()


def vocab_size(model, tokenizer) -> int:
    """V, the width of the model's logits: its output layer's (which may exceed the tokenizer's
    vocabulary), or the tokenizer's length for a model without one."""
    head = model.get_output_embeddings() if hasattr(model, "get_output_embeddings") else None
    return head.weight.shape[0] if head is not None else len(tokenizer)


def context_length(model, wanted: int | None) -> int:
    """The window: ``wanted`` (or 256) tokens, at most the model's positions."""
    config = getattr(model, "config", None)
    limit = getattr(config, "n_positions", None) or getattr(config, "max_position_embeddings", None)
    length = wanted or min(256, limit or 256)
    if length < 1 or (limit and length > limit):
        raise TrainzipError(f"--context {length} is outside 1..{limit} (the model's positions)")
    return length
