from . import batches, tokens
