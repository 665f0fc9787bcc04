from . import access, batches, forms, tokens
