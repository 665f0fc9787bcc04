from . import access, batch_lookups, batches, forms, locks, notifications, tokens
