"""A BERT encoder folder built from scratch: the WordPiece vocabulary and the configuration
the pretraining script uses, with random weights (tests, and the start of pretraining)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def train_wordpiece(out: Path, texts: Iterable[str], vocab_size: int, min_frequency: int = 3) -> Path:
    """Train a WordPiece vocabulary on ``texts`` into ``out/vocab.txt``. Arabic is kept as
    written: no lowercasing, no accent stripping (diacritics become their own pieces)."""
    from tokenizers import BertWordPieceTokenizer

    tok = BertWordPieceTokenizer(clean_text=True, handle_chinese_chars=False, strip_accents=False, lowercase=False)
    tok.train_from_iterator(texts, vocab_size=vocab_size, min_frequency=min_frequency,
                            special_tokens=SPECIAL, wordpieces_prefix="##")
    out.mkdir(parents=True, exist_ok=True)
    tok.save_model(str(out))
    return out / "vocab.txt"


def tokenizer_from_vocab(vocab: Path):
    from transformers import BertTokenizerFast

    return BertTokenizerFast(vocab_file=str(vocab), do_lower_case=False, strip_accents=False,
                             tokenize_chinese_chars=False, model_max_length=512)


def bert_config(vocab_size: int, pad_token_id: int, *, hidden: int, layers: int, heads: int,
                dropout: float = 0.1):
    from transformers import BertConfig

    return BertConfig(vocab_size=vocab_size, hidden_size=hidden, num_hidden_layers=layers,
                      num_attention_heads=heads, intermediate_size=4 * hidden,
                      max_position_embeddings=512, pad_token_id=pad_token_id,
                      hidden_dropout_prob=dropout, attention_probs_dropout_prob=dropout)


def random_encoder(out: str | Path, texts: Iterable[str], *, vocab_size: int = 500, hidden: int = 32,
                   layers: int = 1, heads: int = 2, seed: int = 0, mlm_head: bool = False) -> Path:
    """Write a randomly initialised BERT (weights as safetensors, tokenizer) to ``out``; with
    ``mlm_head``, a masked language model's (the base model and its ``cls.`` head), as the
    pretraining script writes its encoder."""
    import torch
    from transformers import BertForMaskedLM, BertModel

    out = Path(out)
    tokenizer = tokenizer_from_vocab(train_wordpiece(out / "vocab", texts, vocab_size, min_frequency=1))
    torch.manual_seed(seed)
    config = bert_config(tokenizer.vocab_size, tokenizer.pad_token_id, hidden=hidden, layers=layers, heads=heads)
    model = BertForMaskedLM(config) if mlm_head else BertModel(config)
    model.save_pretrained(out, safe_serialization=True)
    tokenizer.save_pretrained(out)
    return out
