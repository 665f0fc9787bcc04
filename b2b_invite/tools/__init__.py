from . import batches, forms, tokens
