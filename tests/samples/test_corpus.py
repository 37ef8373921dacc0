"""The committed variant corpus is exactly what `python -m samples.generate variants` writes."""

from pathlib import Path

from samples.generate.corpus import build_variants

COMMITTED = Path(__file__).resolve().parents[2] / "samples" / "variants"


def test_committed_corpus_is_up_to_date(tmp_path):
    written = build_variants(tmp_path)
    stale = [p.relative_to(tmp_path).as_posix() for p in written
             if (COMMITTED / p.relative_to(tmp_path)).read_bytes() != p.read_bytes()]
    assert not stale, f"regenerate with `python -m samples.generate variants`: {stale}"
    total = sum(p.stat().st_size for p in written)
    assert total < 2 * 1024 * 1024
