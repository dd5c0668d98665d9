"""The PyTorch dialect: its vocabulary, shape rules, numpy run, texts, code export and import."""
