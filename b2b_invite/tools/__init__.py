from . import access, batch_lookups, batches, forms, notifications, tokens
