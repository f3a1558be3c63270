"""A small causal language model trained from scratch with the Hugging Face Trainer, metered in
bits per token by `PrequentialTrainerCallback` (needs the transformers extra).

The model is built from a config (a 2-layer GPT-2, nothing downloaded) and reads bytes: a
256-token vocabulary, so the uniform code is 8 bits per token and "bits per token" is bits per
byte of the text. Each training batch is scored before the optimizer learns from it, so the
running total is the prequential code length of the text under this training run: the length of
the bitstream `examples/token_stream.py` really writes for such a run.

    pip install 'trainzip[transformers]'
    python examples/trainer_causal_lm.py [--text ../shared/corpus/canterbury/alice29.txt] [--bytes 65536]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import trainzip  # noqa: F401  (first: sets MKL's reproducibility mode before torch loads)
import torch

from trainzip.integrations.transformers import PrequentialTrainerCallback

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "canterbury"


class ByteChunks(torch.utils.data.Dataset):
    """A text as (n, T) byte sequences; each item's labels are its input ids (the model shifts them)."""

    def __init__(self, data: bytes, sequence_length: int):
        usable = len(data) // sequence_length * sequence_length
        self.tokens = torch.frombuffer(bytearray(data[:usable]), dtype=torch.uint8).long().view(-1, sequence_length)

    def __len__(self) -> int:
        return len(self.tokens)

    def __getitem__(self, index: int) -> dict:
        return {"input_ids": self.tokens[index], "labels": self.tokens[index]}


def tiny_gpt2(sequence_length: int, *, layers: int = 2, width: int = 64, heads: int = 4):
    """A GPT-2 built from its config over 256 byte tokens, dropout off (a deterministic run)."""
    from transformers import GPT2Config, GPT2LMHeadModel

    config = GPT2Config(vocab_size=256, n_positions=sequence_length, n_embd=width, n_layer=layers, n_head=heads,
                        resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0, bos_token_id=0, eos_token_id=0)
    return GPT2LMHeadModel(config)


def training_arguments(output_dir: str, **overrides):
    """Trainer settings for a short CPU run: one epoch, a checkpoint every 50 steps, no reporting."""
    from transformers import TrainingArguments

    settings = dict(output_dir=output_dir, per_device_train_batch_size=8, num_train_epochs=1, learning_rate=3e-3,
                    lr_scheduler_type="constant", warmup_steps=0, weight_decay=0.0, seed=0, logging_steps=10,
                    save_strategy="steps", save_steps=50, report_to=[], use_cpu=True, disable_tqdm=True,
                    dataloader_num_workers=0)
    settings.update(overrides)
    return TrainingArguments(**settings)


def run(text: bytes, output_dir: str, *, sequence_length: int = 64, record: str | None = None,
        resume_from: str | None = None, callbacks=(), **overrides) -> PrequentialTrainerCallback:
    """Train on ``text`` for one epoch with a metering callback; returns the callback."""
    from transformers import Trainer, default_data_collator

    torch.manual_seed(0)
    meter_callback = PrequentialTrainerCallback(record_path=record)
    trainer = Trainer(model=tiny_gpt2(sequence_length), args=training_arguments(output_dir, **overrides),
                      train_dataset=ByteChunks(text, sequence_length), data_collator=default_data_collator,
                      callbacks=[meter_callback, *callbacks])
    trainer.train(resume_from_checkpoint=resume_from)
    return meter_callback


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text", default=str(CORPUS / "alice29.txt"))
    parser.add_argument("--bytes", type=int, default=65536, help="how much of the text to train on")
    parser.add_argument("--sequence-length", type=int, default=64)
    parser.add_argument("--output-dir", default="trainer_lm_run")
    parser.add_argument("--record", default="trainer_lm_run.json")
    args = parser.parse_args(argv)

    text = Path(args.text).read_bytes()[:args.bytes]
    callback = run(text, args.output_dir, sequence_length=args.sequence_length, record=args.record)
    totals = callback.meter.totals()
    print(f"{Path(args.text).name}: {totals['samples']:,} tokens (bytes) predicted in one epoch")
    print(f"  prequential code   {totals['bits'] / 1000:10.2f} kbits  ({totals['bits_per_sample']:.3f} bits per token)")
    print(f"  uniform code       {totals['uniform_bits'] / 1000:10.2f} kbits  (8 bits per token)")
    print(f"  compression ratio  {totals['compression_ratio']:10.2f}")
    print(f"  online accuracy    {totals['accuracy']:10.3f}  (next byte predicted exactly)")
    print(f"  record written to  {args.record}")


if __name__ == "__main__":
    main()
