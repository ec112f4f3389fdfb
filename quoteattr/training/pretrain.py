"""Pretrain the small default encoder: a WordPiece vocabulary and a BERT-style masked language
model, learnt from the SaudiNewsNet corpus, offline, on a CPU (or a GPU where there is one).

    python -m quoteattr.training.pretrain OUT_DIR [--corpus-dir DIR] [--steps N] [--seed 13]

Re-running the same command resumes from the last checkpoint in ``OUT_DIR/checkpoints``.
Needs the ``train`` extra (torch, transformers, tokenizers); choose torch's CPU or GPU build
before installing (see the README). What it writes:

- ``OUT_DIR/vocab.txt``: the WordPiece vocabulary (``--vocab-size``, 8k by default) trained on
  the pretraining articles, or the one given with ``--vocab``;
- ``OUT_DIR/data/``: the corpus tokenised once (``train.npy``, ``heldout.npy``: token ids of
  whole articles, ``[SEP]`` between them) and ``split.json`` (which articles are held out);
- ``OUT_DIR/checkpoints/step-N/``: model, optimiser, schedule and step, every ``--save-every``
  steps (the last two kept). The data order and the masks are functions of the seed and the
  step, so a resumed run sees exactly the batches an uninterrupted one would;
- ``OUT_DIR/encoder/``: the final Hugging Face folder (``config.json``, ``model.safetensors``
  with the masked-language-model head, tokenizer files) that spacy-transformers loads by path;
- ``OUT_DIR/train_log.jsonl``: the training loss every ``--log-every`` steps, and every
  ``--eval-every`` steps the held-out figures (see :func:`evaluate_mlm`) with tokens seen and
  wall time.

**Data.** The gold ``test`` articles are never read. Of the other articles ``--heldout``
(seeded) are held out: the held-out figures are measured on blocks of articles that were never
pretrained on. The training articles are tokenised once, cut into blocks of ``--length`` tokens
and drawn in a fresh seeded permutation every pass, so consecutive batches mix newspapers and
days.

**Schedule.** Linear warm-up over ``--warmup`` (a fraction of the steps), then cosine decay to
``--final-lr`` times the peak. AdamW with betas (0.9, 0.98); dropout ``--dropout``.

The corpus text is read in place and never copied; the weights learnt from it carry its licence
(CC BY-NC-SA 4.0), which the model card states.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import shutil
import time
from pathlib import Path
from typing import Any

from .encoder import bert_config, tokenizer_from_vocab, train_wordpiece

GOLD_TEST = Path(__file__).resolve().parents[2] / "benchmarks" / "gold" / "test.jsonl"
MASK_PROB = 0.15
EVAL_BLOCKS = 256


def _excluded_ids() -> set[str]:
    """Articles of the gold test split: never seen in pretraining, so evaluation stays clean."""
    if not GOLD_TEST.is_file():
        return set()
    with open(GOLD_TEST, encoding="utf-8") as fh:
        return {json.loads(line)["id"] for line in fh if line.strip()}


def split_articles(corpus_dir: str | None, heldout: int, seed: int) -> tuple[list[str], list[str]]:
    """Ids of the pretraining and the held-out articles (non-empty, gold test left out)."""
    from ..evaluation.corpus import Corpus

    excluded = _excluded_ids()
    ids = [a["id"] for a in Corpus(corpus_dir).iter_articles()
           if a["id"] not in excluded and a["content"].strip()]
    held = set(random.Random(seed).sample(ids, min(heldout, len(ids) // 10)))
    return [i for i in ids if i not in held], [i for i in ids if i in held]


def _texts(corpus_dir: str | None, ids: set[str]):
    from ..evaluation.corpus import Corpus

    for a in Corpus(corpus_dir).iter_articles():
        if a["id"] in ids:
            yield a["content"]


def prepare_data(out: Path, corpus_dir: str | None, vocab: str | None, vocab_size: int,
                 heldout: int, seed: int):
    """The vocabulary and the tokenised corpus, made once into ``out`` (then reused)."""
    import numpy as np

    data = out / "data"
    data.mkdir(parents=True, exist_ok=True)
    split_file = data / "split.json"
    if split_file.is_file():
        split = json.loads(split_file.read_text())
    else:
        train_ids, held_ids = split_articles(corpus_dir, heldout, seed)
        split = {"seed": seed, "train": len(train_ids), "heldout_ids": held_ids}
        split_file.write_text(json.dumps(split))
    held = set(split["heldout_ids"])
    path = out / "vocab.txt"
    if not path.is_file():
        if vocab:
            shutil.copy(vocab, path)
        else:
            from ..evaluation.corpus import Corpus

            texts = (a["content"] for a in Corpus(corpus_dir).iter_articles()
                     if a["id"] not in held and a["id"] not in _excluded_ids() and a["content"].strip())
            train_wordpiece(out, texts, vocab_size)
    tokenizer = tokenizer_from_vocab(path)
    arrays = {}
    for name in ("train", "heldout"):
        f = data / f"{name}.npy"
        if not f.is_file():
            from ..evaluation.corpus import Corpus

            excluded = _excluded_ids()
            ids = []
            buf: list[str] = []
            for a in Corpus(corpus_dir).iter_articles():
                if a["id"] in excluded or not a["content"].strip() or (a["id"] in held) != (name == "heldout"):
                    continue
                buf.append(a["content"])
                if len(buf) == 256:
                    ids.extend(_encode(tokenizer, buf))
                    buf = []
            if buf:
                ids.extend(_encode(tokenizer, buf))
            np.save(f, np.asarray(ids, dtype=np.uint16 if tokenizer.vocab_size < 65536 else np.int32))
        arrays[name] = np.load(f, mmap_mode="r")
    return tokenizer, arrays["train"], arrays["heldout"]


def _encode(tokenizer, texts: list[str]) -> list[int]:
    out: list[int] = []
    for ids in tokenizer(texts, add_special_tokens=False)["input_ids"]:
        out.extend(ids)
        out.append(tokenizer.sep_token_id)
    return out


def unigram_entropy(ids) -> float:
    """The entropy (nats) of the token distribution of ``ids``: what a model that ignores
    context scores at best, roughly."""
    import numpy as np

    counts = np.bincount(np.asarray(ids, dtype=np.int64))
    p = counts[counts > 0] / counts.sum()
    return float(-(p * np.log(p)).sum())


class Blocks:
    """Fixed-length blocks of a token array, ``[CLS] ... [SEP]``, drawn in a seeded permutation
    per pass; ``batch(step)`` depends only on the seed and the step."""

    def __init__(self, ids, length: int, batch: int, seed: int, cls_id: int, sep_id: int) -> None:
        self.ids, self.body, self.batch_size, self.seed = ids, length - 2, batch, seed
        self.n = len(ids) // self.body
        self.cls_id, self.sep_id = cls_id, sep_id
        self._perm: tuple[int, Any] = (-1, None)

    def block(self, k: int):
        import numpy as np

        body = np.asarray(self.ids[k * self.body : (k + 1) * self.body], dtype=np.int64)
        return np.concatenate([[self.cls_id], body, [self.sep_id]])

    def batch(self, step: int):
        import numpy as np

        out = []
        for i in range(step * self.batch_size, (step + 1) * self.batch_size):
            epoch, pos = divmod(i, self.n)
            if self._perm[0] != epoch:
                self._perm = (epoch, np.random.default_rng([self.seed, epoch]).permutation(self.n))
            out.append(self.block(int(self._perm[1][pos])))
        return np.stack(out)


def mask_tokens(ids, generator, mask_id: int, vocab_size: int, special: set[int]):
    """BERT masking: 15% of the non-special positions get a label; of those 80% become
    [MASK], 10% a random token, 10% stay. Returns ``(input_ids, labels, is_mask)``."""
    import torch

    ids = torch.as_tensor(ids, dtype=torch.long)
    labels = ids.clone()
    maskable = torch.ones_like(ids, dtype=torch.bool)
    for s in special:
        maskable &= ids != s
    chosen = (torch.rand(ids.shape, generator=generator) < MASK_PROB) & maskable
    labels[~chosen] = -100
    roll = torch.rand(ids.shape, generator=generator)
    is_mask = chosen & (roll < 0.8)
    is_random = chosen & (roll >= 0.8) & (roll < 0.9)
    inputs = ids.clone()
    inputs[is_mask] = mask_id
    inputs[is_random] = torch.randint(vocab_size, ids.shape, generator=generator)[is_random]
    return inputs, labels, is_mask


def _masked_logits(model, inputs, labels):
    """The output layer on the labelled positions only (most of a small model's compute is the
    vocabulary-wide softmax, and only 15% of the positions have a label)."""
    hidden = model.bert(input_ids=inputs).last_hidden_state
    picked = labels != -100
    return model.cls(hidden[picked]), labels[picked], picked


def evaluate_mlm(model, blocks, mask_id: int, vocab_size: int, special: set[int], seed: int = 0,
                 batch: int = 32) -> dict[str, float]:
    """Held-out figures at the positions replaced by [MASK] (fixed blocks, fixed masks): the
    loss in nats, top-1 and top-5 accuracy, and how many distinct tokens the top-1 predictions
    are (a model stuck on unigram frequencies predicts a handful: ، في من ...)."""
    import torch

    g = torch.Generator().manual_seed(seed)
    was_training = model.training
    model.eval()
    loss_sum, n, top1, top5 = 0.0, 0, 0, 0
    predicted: set[int] = set()
    with torch.no_grad():
        for i in range(0, len(blocks), batch):
            ids = blocks[i : i + batch]
            inputs, labels, is_mask = mask_tokens(ids, g, mask_id, vocab_size, special)
            labels = labels.masked_fill(~is_mask, -100)
            logits, gold, _ = _masked_logits(model, inputs, labels)
            if not len(gold):
                continue
            loss_sum += torch.nn.functional.cross_entropy(logits, gold, reduction="sum").item()
            best = logits.topk(5, dim=-1).indices
            top1 += (best[:, 0] == gold).sum().item()
            top5 += (best == gold[:, None]).any(-1).sum().item()
            predicted.update(best[:, 0].tolist())
            n += len(gold)
    model.train(was_training)
    return {"mask_loss": round(loss_sum / max(n, 1), 4), "top1": round(top1 / max(n, 1), 4),
            "top5": round(top5 / max(n, 1), 4), "distinct_top1": len(predicted), "masked": n}


def heldout_blocks(ids, length: int, count: int = EVAL_BLOCKS, *, cls_id: int, sep_id: int):
    """The first ``count`` blocks of the held-out articles (the same ones for every model)."""
    import numpy as np

    b = Blocks(ids, length, 1, 0, cls_id, sep_id)
    return np.stack([b.block(k) for k in range(min(count, b.n))])


def static_vectors(ids, vocab_size: int, dim: int, window: int = 4, seed: int = 0, chunk: int = 2_000_000):
    """Word-piece vectors from co-occurrence: positive PMI over a ``window`` either side
    (context counts smoothed to the power 0.75), reduced to ``dim`` by a randomised SVD.
    Returns a float32 array ``[vocab_size, dim]`` scaled to BERT's initial range (std 0.02).
    NumPy only; about a minute for the corpus."""
    import numpy as np

    V = vocab_size
    counts: np.ndarray = np.zeros(V * V, dtype=np.float32)
    arr = np.asarray(ids, dtype=np.int64)
    for lo in range(0, len(arr), chunk):
        part = arr[lo : lo + chunk + window]
        for d in range(1, window + 1):
            a, b = part[:-d], part[d:]
            w = 1.0 / d  # nearer neighbours count more
            counts += np.bincount(a * V + b, minlength=V * V).astype(np.float32) * w
    counts = counts.reshape(V, V)
    counts += counts.T
    row = counts.sum(1)
    col = counts.sum(0) ** 0.75
    total = row.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log(counts * (col.sum() / total) * total / (np.outer(row, col) + 1e-12) + 1e-12)
    ppmi = np.maximum(pmi, 0).astype(np.float32)
    del counts, pmi
    rng = np.random.default_rng(seed)
    q = ppmi @ rng.standard_normal((V, dim + 20)).astype(np.float32)
    for _ in range(2):  # power iterations
        q, _ = np.linalg.qr(q)
        q = ppmi @ (ppmi.T @ q)
    q, _ = np.linalg.qr(q)
    u, sv, _ = np.linalg.svd(q.T @ ppmi, full_matrices=False)
    vecs = (q @ u[:, :dim]) * np.sqrt(sv[:dim])
    vecs = vecs / (vecs.std() + 1e-8) * 0.02
    return vecs.astype(np.float32)


def _checkpoints(out: Path) -> list[Path]:
    d = out / "checkpoints"
    return sorted(d.glob("step-*"), key=lambda p: int(p.name.split("-")[1])) if d.is_dir() else []


def lr_factor(step: int, steps: int, warmup: int, final: float) -> float:
    """Linear warm-up, then cosine decay from 1 to ``final`` at ``steps``."""
    if step < warmup:
        return (step + 1) / warmup
    t = min(1.0, (step - warmup) / max(1, steps - warmup))
    return final + (1 - final) * 0.5 * (1 + math.cos(math.pi * t))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m quoteattr.training.pretrain", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", help="output folder (re-running resumes from its checkpoints)")
    ap.add_argument("--corpus-dir", help="the SaudiNewsNet folder (default: ../shared/corpora/saudinewsnet)")
    ap.add_argument("--vocab", help="use this vocab.txt instead of training one")
    ap.add_argument("--vocab-size", type=int, default=8_000, help="WordPiece pieces to train")
    ap.add_argument("--heldout", type=int, default=300, help="articles held out for the held-out figures")
    ap.add_argument("--layers", type=int, default=2, help="transformer layers")
    ap.add_argument("--hidden", type=int, default=256, help="hidden size")
    ap.add_argument("--heads", type=int, default=4, help="attention heads")
    ap.add_argument("--length", type=int, default=128, help="tokens per training block")
    ap.add_argument("--batch", type=int, default=32, help="blocks per step")
    ap.add_argument("--steps", type=int, default=9_000, help="training steps in all")
    ap.add_argument("--lr", type=float, default=5e-4, help="peak learning rate")
    ap.add_argument("--warmup", type=float, default=0.05, help="warm-up, as a fraction of --steps")
    ap.add_argument("--final-lr", type=float, default=0.1, help="the last learning rate, as a fraction of --lr")
    ap.add_argument("--dropout", type=float, default=0.0, help="hidden and attention dropout")
    ap.add_argument("--save-every", type=int, default=500, help="steps between checkpoints")
    ap.add_argument("--log-every", type=int, default=50, help="steps between training-loss lines")
    ap.add_argument("--eval-every", type=int, default=500, help="steps between held-out evaluations")
    ap.add_argument("--seed", type=int, default=13, help="seed of the split, the data order and the masks")
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    ap.add_argument("--device", default="cpu", help="torch device (cpu, cuda)")
    ap.add_argument("--bf16", action="store_true", help="bfloat16 autocast (on a GPU)")
    ap.add_argument("--init-from", help="start from the weights of an encoder folder (same vocabulary)")
    ap.add_argument("--static-init", action="store_true",
                    help="initialise the token embeddings with PPMI-SVD vectors of the training pieces")
    ap.add_argument("--max-minutes", type=float, default=0,
                    help="stop after this long, with a checkpoint and the encoder folder of the weights so far")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)

    import torch
    from transformers import BertForMaskedLM

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.threads:
        torch.set_num_threads(args.threads)
    t0 = time.perf_counter()
    tokenizer, train_ids, held_ids = prepare_data(out, args.corpus_dir, args.vocab, args.vocab_size,
                                                  args.heldout, args.seed)
    special = {tokenizer.cls_token_id, tokenizer.sep_token_id, tokenizer.pad_token_id}
    V = tokenizer.vocab_size
    print(f"vocabulary {V} pieces; {len(train_ids):,} training tokens, {len(held_ids):,} held out "
          f"({time.perf_counter() - t0:.0f} s)", flush=True)
    torch.manual_seed(args.seed)
    config = bert_config(V, tokenizer.pad_token_id, hidden=args.hidden, layers=args.layers, heads=args.heads,
                         dropout=args.dropout)
    model = BertForMaskedLM(config).to(args.device)
    if args.init_from:
        from safetensors.torch import load_file

        state = load_file(str(Path(args.init_from) / "model.safetensors"))
        if not any(k.startswith("bert.") for k in state):  # a base-model folder
            state = {f"bert.{k}": v for k, v in state.items()}
        missing, unexpected = model.load_state_dict(state, strict=False)
        print(f"weights from {args.init_from} (missing {len(missing)}, unexpected {len(unexpected)})", flush=True)
    if args.static_init and not _checkpoints(out):
        vec_file = out / "data" / f"static-{args.hidden}.npy"
        if not vec_file.is_file():
            import numpy as np

            np.save(vec_file, static_vectors(train_ids, V, args.hidden, seed=args.seed))
            print(f"static vectors ({time.perf_counter() - t0:.0f} s)", flush=True)
        import numpy as np

        with torch.no_grad():
            model.bert.embeddings.word_embeddings.weight.copy_(torch.from_numpy(np.load(vec_file)))
    optim = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.98), eps=1e-6, weight_decay=0.01)
    warmup = max(1, int(args.warmup * args.steps))
    sched = torch.optim.lr_scheduler.LambdaLR(optim, lambda s: lr_factor(s, args.steps, warmup, args.final_lr))
    step = 0
    done = _checkpoints(out)
    if done:
        state = torch.load(done[-1] / "state.pt", weights_only=True, map_location=args.device)
        model.load_state_dict(state["model"])
        optim.load_state_dict(state["optim"])
        sched.load_state_dict(state["sched"])
        step = int(state["step"])
        print(f"resumed from {done[-1]} at step {step}", flush=True)
    data = Blocks(train_ids, args.length, args.batch, args.seed, tokenizer.cls_token_id, tokenizer.sep_token_id)
    held = heldout_blocks(held_ids, args.length, cls_id=tokenizer.cls_token_id, sep_id=tokenizer.sep_token_id)
    log = open(out / "train_log.jsonl", "a", encoding="utf-8")

    def write(row: dict) -> None:
        log.write(json.dumps(row) + "\n")
        log.flush()
        print(row, flush=True)

    def evaluate() -> None:
        row = evaluate_mlm(model, held, tokenizer.mask_token_id, V, special)
        write({"step": step, "tokens_seen": step * args.batch * args.length,
               "elapsed_s": round(time.perf_counter() - t0), **row})

    if step == 0:
        evaluate()
    model.train()
    tokens, t_log, loss = 0, time.perf_counter(), None
    while step < args.steps:
        g = torch.Generator().manual_seed(args.seed * 1_000_003 + step)
        inputs, labels, _ = mask_tokens(data.batch(step), g, tokenizer.mask_token_id, V, special)
        inputs, labels = inputs.to(args.device), labels.to(args.device)
        with torch.autocast(args.device.split(":")[0], dtype=torch.bfloat16, enabled=args.bf16):
            logits, gold, _ = _masked_logits(model, inputs, labels)
            loss = torch.nn.functional.cross_entropy(logits.float(), gold)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optim.step()
        sched.step()
        optim.zero_grad(set_to_none=True)
        step += 1
        tokens += args.batch * args.length
        if step % args.log_every == 0:
            dt = time.perf_counter() - t_log
            write({"step": step, "loss": round(float(loss.item()), 4), "tokens_per_s": round(tokens / dt),
                   "lr": round(float(sched.get_last_lr()[0]), 7), "elapsed_s": round(time.perf_counter() - t0)})
            tokens, t_log = 0, time.perf_counter()
        out_of_time = args.max_minutes and time.perf_counter() - t0 > 60 * args.max_minutes
        if step % args.eval_every == 0 or step == args.steps or out_of_time:
            evaluate()
        if step % args.save_every == 0 or step == args.steps or out_of_time:
            ck = out / "checkpoints" / f"step-{step}"
            ck.mkdir(parents=True, exist_ok=True)
            torch.save({"model": model.state_dict(), "optim": optim.state_dict(), "sched": sched.state_dict(),
                        "step": step}, ck / "state.pt")
            for old in _checkpoints(out)[:-2]:
                shutil.rmtree(old)
        if out_of_time:
            _export(model, tokenizer, out, step, t0, args.device)
            print(f"stopped after {args.max_minutes} minutes at step {step}; re-run to resume", flush=True)
            return 0
    _export(model, tokenizer, out, step, t0, args.device)
    return 0


def _export(model, tokenizer, out: Path, step: int, t0: float, device: str) -> None:
    """Write ``out/encoder``: the Hugging Face folder of the weights as they are now."""
    final = out / "encoder"
    model.to("cpu").save_pretrained(final, safe_serialization=True)
    tokenizer.save_pretrained(final)
    model.to(device)
    print(f"encoder written to {final} after {step} steps, {time.perf_counter() - t0:.0f} s", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
