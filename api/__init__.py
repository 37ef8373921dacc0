"""HTTP upload API of the docextract service."""
