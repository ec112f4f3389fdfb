"""Pretrain the small default encoder: a WordPiece vocabulary and a BERT-style masked language
model, learnt from the SaudiNewsNet corpus, offline, on a CPU.

    python -m quoteattr.training.pretrain OUT_DIR [--corpus-dir DIR] [--steps N] [--seed 13]

Re-running the same command resumes from the last checkpoint in ``OUT_DIR/checkpoints``.
Needs the ``train`` extra (torch, transformers, tokenizers); choose torch's CPU or GPU build
before installing (see the README). What it writes:

- ``OUT_DIR/vocab.txt``: the WordPiece vocabulary (``--vocab-size``, 16k by default), trained
  on the corpus with the gold *test* articles left out;
- ``OUT_DIR/checkpoints/step-N/``: model, optimiser, schedule, random states and the data
  position, every ``--save-every`` steps (the last two kept);
- ``OUT_DIR/encoder/``: the final Hugging Face model folder (``config.json``,
  ``model.safetensors``, tokenizer files) that spacy-transformers loads by path;
- ``OUT_DIR/train_log.jsonl``: one line per ``--log-every`` steps: step, loss, tokens/s.

The corpus text is read in place and never copied; the weights learnt from it carry its
licence (CC BY-NC-SA 4.0), which the model card states.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from .encoder import bert_config, tokenizer_from_vocab, train_wordpiece

GOLD_TEST = Path(__file__).resolve().parents[2] / "benchmarks" / "gold" / "test.jsonl"


def _excluded_ids() -> set[str]:
    """Articles of the gold test split: never seen in pretraining, so evaluation stays clean."""
    if not GOLD_TEST.is_file():
        return set()
    with open(GOLD_TEST, encoding="utf-8") as fh:
        return {json.loads(line)["id"] for line in fh if line.strip()}


def iter_texts(corpus_dir: str | None, seed: int) -> Iterator[str]:
    """Corpus articles (paragraphs joined by newlines) in a seeded shuffled day order."""
    from ..evaluation.corpus import Corpus

    corpus = Corpus(corpus_dir)
    excluded = _excluded_ids()
    days = corpus.days()
    random.Random(seed).shuffle(days)
    for day in days:
        for a in corpus.iter_articles([day]):
            if a["id"] not in excluded and a["content"].strip():
                yield a["content"]


def train_vocab(out: Path, corpus_dir: str | None, vocab_size: int, seed: int) -> Path:
    """Train (once) the WordPiece vocabulary into ``out/vocab.txt``."""
    path = out / "vocab.txt"
    if path.is_file():
        return path
    return train_wordpiece(out, iter_texts(corpus_dir, seed), vocab_size)


def blocks(tokenizer, corpus_dir: str | None, seed: int, length: int, skip: int) -> Iterator[list[int]]:
    """Token-id blocks of ``length`` ([CLS] ... [SEP]) over the corpus, after the first ``skip``."""
    body = length - 2
    buf: list[int] = []
    n = 0
    for text in iter_texts(corpus_dir, seed):
        buf.extend(tokenizer(text, add_special_tokens=False)["input_ids"])
        while len(buf) >= body:
            chunk, buf = buf[:body], buf[body:]
            if n >= skip:
                yield [tokenizer.cls_token_id, *chunk, tokenizer.sep_token_id]
            n += 1


def _masked_lm_loss(model, batch):
    """The MLM loss with the output layer applied to the masked positions only: the 16k-way
    softmax over every position is most of a small model's compute, and only 15% of the
    positions have a label."""
    import torch

    hidden = model.bert(input_ids=batch["input_ids"]).last_hidden_state
    labels = batch["labels"]
    picked = labels != -100
    logits = model.cls(hidden[picked])
    return torch.nn.functional.cross_entropy(logits, labels[picked])


def _checkpoints(out: Path) -> list[Path]:
    d = out / "checkpoints"
    return sorted(d.glob("step-*"), key=lambda p: int(p.name.split("-")[1])) if d.is_dir() else []


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--corpus-dir")
    ap.add_argument("--vocab-size", type=int, default=16_000)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--length", type=int, default=128, help="tokens per training block")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--save-every", type=int, default=250)
    ap.add_argument("--log-every", type=int, default=25)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    ap.add_argument("--init-from", help="start from the weights of an encoder folder written by an earlier run "
                    "(model.safetensors; the vocabulary must be the same), with a fresh optimiser and schedule")
    args = ap.parse_args(argv)

    import torch
    from transformers import (
        BertForMaskedLM,
        DataCollatorForLanguageModeling,
    )

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.threads:
        torch.set_num_threads(args.threads)
    t0 = time.perf_counter()
    vocab = train_vocab(out, args.corpus_dir, args.vocab_size, args.seed)
    tokenizer = tokenizer_from_vocab(vocab)
    print(f"vocabulary: {tokenizer.vocab_size} pieces ({time.perf_counter() - t0:.0f} s)", flush=True)

    random.seed(args.seed)
    torch.manual_seed(args.seed)
    config = bert_config(tokenizer.vocab_size, tokenizer.pad_token_id, hidden=args.hidden, layers=args.layers,
                         heads=args.heads)
    model = BertForMaskedLM(config)
    optim = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)

    def schedule(step: int) -> float:
        if step < args.warmup:
            return (step + 1) / args.warmup
        return max(0.0, (args.steps - step) / max(1, args.steps - args.warmup))

    sched = torch.optim.lr_scheduler.LambdaLR(optim, schedule)
    if args.init_from:
        from safetensors.torch import load_file

        missing, unexpected = model.load_state_dict(load_file(Path(args.init_from) / "model.safetensors"),
                                                    strict=False)
        print(f"weights from {args.init_from} (missing {len(missing)}, unexpected {len(unexpected)})", flush=True)
    step = 0
    done = _checkpoints(out)
    if done:  # resume: weights, optimiser, schedule, random states, data position
        last = done[-1]
        state = torch.load(last / "state.pt", weights_only=False)  # our own checkpoint
        model.load_state_dict(state["model"])
        optim.load_state_dict(state["optim"])
        sched.load_state_dict(state["sched"])
        torch.set_rng_state(state["torch_rng"])
        random.setstate(state["py_rng"])
        step = state["step"]
        print(f"resumed from {last} at step {step}", flush=True)
    collator = DataCollatorForLanguageModeling(tokenizer, mlm_probability=0.15)
    data = blocks(tokenizer, args.corpus_dir, args.seed, args.length, skip=step * args.batch)
    log = open(out / "train_log.jsonl", "a", encoding="utf-8")
    model.train()
    tokens, t_log = 0, time.perf_counter()
    while step < args.steps:
        batch_ids = [b for _, b in zip(range(args.batch), data)]
        if len(batch_ids) < args.batch:  # the corpus is used up: start another pass
            data = blocks(tokenizer, args.corpus_dir, args.seed + step, args.length, skip=0)
            continue
        batch = collator([{"input_ids": b} for b in batch_ids])
        loss = _masked_lm_loss(model, batch)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optim.step()
        sched.step()
        optim.zero_grad()
        step += 1
        tokens += args.batch * args.length
        if step % args.log_every == 0:
            dt = time.perf_counter() - t_log
            row = {"step": step, "loss": round(loss.item(), 4), "tokens_per_s": round(tokens / dt),
                   "lr": sched.get_last_lr()[0], "elapsed_s": round(time.perf_counter() - t0)}
            log.write(json.dumps(row) + "\n")
            log.flush()
            print(row, flush=True)
            tokens, t_log = 0, time.perf_counter()
        if step % args.save_every == 0 or step == args.steps:
            ck = out / "checkpoints" / f"step-{step}"
            ck.mkdir(parents=True, exist_ok=True)
            torch.save({"model": model.state_dict(), "optim": optim.state_dict(), "sched": sched.state_dict(),
                        "torch_rng": torch.get_rng_state(), "py_rng": random.getstate(), "step": step},
                       ck / "state.pt")
            for old in _checkpoints(out)[:-2]:
                shutil.rmtree(old)
    final = out / "encoder"
    model.save_pretrained(final, safe_serialization=True)
    tokenizer.save_pretrained(final)
    print(f"encoder written to {final} after {step} steps, {time.perf_counter() - t0:.0f} s; "
          f"final loss {math.nan if step == 0 else loss.item():.3f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
