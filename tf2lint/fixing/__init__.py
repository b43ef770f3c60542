"""Fix plans -> LibCST edits (edits) -> verified, atomic writes (write)."""
