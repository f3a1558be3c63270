"""A fingerprint of the model and the training a label stream was written with, checked before decoding.

Decoding replays the encoder's training, so a decoder given another model or another optimizer
reads garbage, and used to say so only as "the range decoder failed", or after replaying the
whole run. The stream now records what the decoder can compare before it starts:

- the model: its class, every submodule's type, every parameter's and buffer's name, shape and
  dtype, and a digest of the initial weights (built from the recorded seed);
- the training: the training function's name and the plain settings it closes over (numbers,
  strings, flags: ``make_train(epochs=3)`` records ``epochs``), and the optimizer it builds, with
  its settings (class, learning rate, betas, weight decay...). The optimizer is found by a dry
  run: the training function runs once on a copy of the model with placeholder labels and is
  stopped at its first optimizer step, under a forked RNG, so nothing of the real run changes.

`differences` names each mismatch in words, for one line of error.
"""

from __future__ import annotations

import copy
import functools
import hashlib

import torch
from torch.optim.optimizer import register_optimizer_step_pre_hook

_PLAIN = (bool, int, float, str, type(None))


class _DryRunDone(Exception):
    """Raised from the optimizer hook to stop the dry run at its first step."""


def model_fingerprint(model: torch.nn.Module) -> dict:
    """The model's class, submodule types, parameter and buffer shapes, and initial-weight digest."""
    digest = hashlib.sha256()
    tensors = []
    for kind, named in (("parameter", model.named_parameters()), ("buffer", model.named_buffers())):
        for name, tensor in named:
            tensors.append([kind, name, list(tensor.shape), str(tensor.dtype).replace("torch.", "")])
            digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return {"class": _qualified(type(model)), "modules": [type(module).__name__ for module in model.modules()],
            "tensors": tensors, "initial_weights_sha256": digest.hexdigest()[:16]}


def training_fingerprint(train, model: torch.nn.Module, inputs: torch.Tensor, labels: torch.Tensor) -> dict:
    """The training function's name and plain settings, and the optimizer its first step uses."""
    return {"function": _callable_name(train), "settings": _plain_settings(train),
            "optimizer": _dry_run_optimizer(train, model, inputs, labels)}


def fingerprint(model, train, inputs, labels) -> dict:
    """Both parts, as the stream records them."""
    return {"model": model_fingerprint(model), "training": training_fingerprint(train, model, inputs, labels)}


def differences(recorded: dict, current: dict) -> list[str]:
    """What differs between a stream's fingerprint and this decoder's, in words (empty if nothing)."""
    found = []
    old_model, new_model = recorded.get("model", {}), current.get("model", {})
    if old_model.get("class") != new_model.get("class"):
        found.append(f"model class {old_model.get('class')} in the stream, {new_model.get('class')} here")
    found += _tensor_differences(old_model.get("tensors", []), new_model.get("tensors", []))
    if not found and old_model.get("modules") != new_model.get("modules"):
        found.append(f"model layers {old_model.get('modules')} in the stream, {new_model.get('modules')} here")
    if not found and old_model.get("initial_weights_sha256") != new_model.get("initial_weights_sha256"):
        found.append("the model's initial weights differ (same shapes: another initialisation, or a model "
                     "factory that does not draw them from the seeded global RNG)")
    old_training, new_training = recorded.get("training", {}), current.get("training", {})
    for key, label in (("function", "training function"), ("settings", "training settings"),
                       ("optimizer", "optimizer")):
        if old_training.get(key) != new_training.get(key):
            found.append(f"{label} {_show(old_training.get(key))} in the stream, {_show(new_training.get(key))} here")
    return found


def _tensor_differences(old: list, new: list) -> list[str]:
    """Parameters or buffers added, removed, or of another shape or dtype."""
    old_by_name = {(kind, name): (shape, dtype) for kind, name, shape, dtype in old}
    new_by_name = {(kind, name): (shape, dtype) for kind, name, shape, dtype in new}
    found = []
    for key in old_by_name.keys() | new_by_name.keys():
        kind, name = key
        before, after = old_by_name.get(key), new_by_name.get(key)
        if before is None:
            found.append(f"{kind} {name!r} is new here (not in the stream's model)")
        elif after is None:
            found.append(f"{kind} {name!r} of the stream's model is missing here")
        elif before != after:
            found.append(f"{kind} {name!r}: shape {before[0]} {before[1]} in the stream, {after[0]} {after[1]} here")
    return sorted(found)


def _dry_run_optimizer(train, model, inputs, labels) -> dict | None:
    """Run ``train`` on a copy of the model until its first optimizer step; that optimizer's settings."""
    seen = {}

    def at_first_step(optimizer, args, kwargs):
        seen["optimizer"] = {"class": _qualified(type(optimizer)), "settings": _optimizer_settings(optimizer)}
        raise _DryRunDone

    handle = register_optimizer_step_pre_hook(at_first_step)
    try:
        with torch.random.fork_rng(devices=[inputs.device] if inputs.device.type == "cuda" else []):
            copied = copy.deepcopy(model)
            copied.train()
            train(copied, inputs, labels)
    except _DryRunDone:
        pass
    finally:
        handle.remove()
    return seen.get("optimizer")


def _optimizer_settings(optimizer) -> dict:
    """The optimizer's defaults, and each parameter group's settings where they differ, as plain values."""
    defaults = {key: _plain(value) for key, value in sorted(optimizer.defaults.items()) if _plain(value) is not None
                or value is None}
    groups = []
    for group in optimizer.param_groups:
        changed = {key: _plain(value) for key, value in sorted(group.items())
                   if key != "params" and key in defaults and _plain(value) != defaults[key]}
        groups.append({"parameters": sum(p.numel() for p in group["params"]), **changed})
    return {**defaults, "groups": groups}


def _plain(value):
    """A JSON-plain form of a setting (tuples as lists), or None for anything else."""
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        return value.item()
    if isinstance(value, (tuple, list)) and all(isinstance(item, _PLAIN) for item in value):
        return list(value)
    return value if isinstance(value, _PLAIN) else None


def _plain_settings(function) -> dict:
    """Plain values a training function depends on: a partial's arguments, closure cells, defaults."""
    if isinstance(function, functools.partial):
        settings = {f"arg{index}": _plain(arg) for index, arg in enumerate(function.args) if _plain(arg) is not None}
        settings.update({key: _plain(arg) for key, arg in function.keywords.items() if _plain(arg) is not None})
        return {**settings, **_plain_settings(function.func)}
    code = getattr(function, "__code__", None)
    if code is None:  # a callable object: its plain attributes
        return {key: _plain(value) for key, value in sorted(vars(function).items())
                if not key.startswith("_") and _plain(value) is not None} if hasattr(function, "__dict__") else {}
    settings = {}
    for name, cell in zip(code.co_freevars, function.__closure__ or ()):
        value = _plain(cell.cell_contents)
        if value is not None:
            settings[name] = value
    positional = code.co_varnames[:code.co_argcount]
    for name, value in zip(positional[len(positional) - len(function.__defaults__ or ()):], function.__defaults__ or ()):
        if _plain(value) is not None:
            settings[name] = _plain(value)
    settings.update({key: _plain(value) for key, value in (function.__kwdefaults__ or {}).items()
                     if _plain(value) is not None})
    return settings


def _callable_name(function) -> str:
    """The function's qualified name within its module (the module's own name is left out: the same
    file imported by name in one process and run as a script in another is the same training)."""
    if isinstance(function, functools.partial):
        return _callable_name(function.func)
    target = function if hasattr(function, "__qualname__") else type(function)
    return target.__qualname__


def _qualified(cls) -> str:
    """A class's name for the fingerprint: its module's for library classes (torch.optim.adam.Adam), its
    qualified name alone for a user's own (the module is __main__ in a script and a name elsewhere)."""
    module = cls.__module__
    return f"{module}.{cls.__qualname__}" if module.split(".")[0] in ("torch", "transformers") else cls.__qualname__


def _show(value) -> str:
    return repr(value) if not isinstance(value, dict) else "{" + ", ".join(f"{k}: {v!r}" for k, v in value.items()) + "}"
