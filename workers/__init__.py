"""The docextract service: queued extraction workers, storage of originals and results."""
