"""Training the transformer layer (work in progress, issue #5): the encoder pretraining script
:mod:`quoteattr.training.pretrain`. Needs torch, transformers and tokenizers."""
