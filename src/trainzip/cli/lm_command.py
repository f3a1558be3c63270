"""`trainzip lm FILE --model DIR`: bits per byte of a causal language model on a text, frozen or
learning as it reads, with the real bitstream written and decoded as the proof."""

from __future__ import annotations

import json

import click

from trainzip.cli.files import ensure_can_write, publish
from trainzip.errors import TrainzipError

DEFINITION = ("bits per byte = total bits of the token code / UTF-8 bytes of the text "
              "(not characters, not tokens; bits, not nats)")


@click.command("lm")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--model", "model_path", required=True,
              help="A local Hugging Face model directory, or a .py file whose load() returns (model, tokenizer).")
@click.option("--learn", is_flag=True, help="After each chunk is coded, one AdamW step on it (else frozen).")
@click.option("--lr", type=float, default=1e-3, show_default=True, help="AdamW learning rate with --learn.")
@click.option("--chunk", type=int, default=1, show_default=True, help="Windows coded between steps with --learn.")
@click.option("--context", type=int, default=None, help="Window, in tokens [default: 256, at most the model's].")
@click.option("--seed", type=int, default=0, show_default=True, help="Seeds the steps (recorded, replayed).")
@click.option("--threads", type=click.IntRange(1), default=1, show_default=True, help="PyTorch threads (in the fingerprint).")
@click.option("-o", "--output", default=None, help="Write the stream here (--decode: the text; '-': stdout).")
@click.option("--decode", is_flag=True, help="FILE is a stream of `trainzip lm`: decode it with --model.")
@click.option("--verify/--no-verify", default=True, show_default=True, help="Decode the stream and compare every byte.")
@click.option("--force", is_flag=True, help="Overwrite an existing output.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def command(file, model_path, learn, lr, chunk, context, seed, threads, output, decode, verify, force, as_json) -> None:
    """Bits per byte of a causal language model on a text, frozen or learning; the real bitstream as proof."""
    from trainzip.language_models.loading import context_length, load_causal_lm
    from trainzip.language_models.text_stream import decode_text, encode_text

    if output is not None:
        ensure_can_write(output, force)
    text = _read(file)
    model, tokenizer = load_causal_lm(model_path)
    if decode:
        publish(output or "-", decode_text(text, model, tokenizer), force)
        return
    data, figures = encode_text(text, model, tokenizer, context=context_length(model, context), learn=learn,
                                lr=lr, chunk=chunk, seed=seed, threads=threads)
    if verify:
        figures["decoded_exactly"] = decode_text(data, model, tokenizer) == text
        if not figures["decoded_exactly"]:
            raise TrainzipError("the stream did not decode to the text (nothing was written)")
    if output is not None:
        publish(output, data, force)
    click.echo(json.dumps({"definition": DEFINITION, **figures}, indent=1) if as_json else _table(figures, lr, chunk))


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as error:
        raise TrainzipError(f"{path}: {error.strerror or error}") from None


def _table(f: dict, lr: float, chunk: int) -> str:
    mode = f"learning (one AdamW step, lr {lr:g}, after every {chunk} window(s))" if f["learn"] else "frozen"
    decoded = {True: "exact", False: "differs"}.get(f.get("decoded_exactly"), "not checked (--no-verify)")
    return "\n".join([
        f"model: {mode}",
        f"text: {f['bytes']} bytes, {f['tokens']} tokens ({f['tokenization']}) + {f['pad_tokens']} pad, "
        f"{f['windows']} windows of {f['context']} tokens, each from a start token (stride = window)",
        DEFINITION,
        f"  estimate (sum of -log2 p)  {f['bits_per_byte_estimate']:.4f}",
        f"  bitstream (payload)        {f['bits_per_byte_stream']:.4f}   "
        f"stream / estimate {f['stream_over_estimate']:.5f}",
        f"  file (with its header)     {f['bits_per_byte_file']:.4f}   {f['file_bytes']} bytes",
        f"decoded: {decoded}"])
