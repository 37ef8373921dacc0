"""align_texts takes a shared programme for rows without columns (a stream's candidate rows) and the
plain one otherwise; both must place every text alike. header_role's indexed tests must answer as the
table read in order does."""

from __future__ import annotations

import random

from extractor.align import align_texts
from extractor.taxonomy import FUND_HEADER_ROLES, INDICATOR_HEADER_ROLES, header_role, within_one_edit

TEXTS = ["", "10", "9.5", "0.00", "—", "道路养护", "≥95%", "个", "%", "满意", "100%", "定量", ">=",
         "指标", "生态效益指标", "123456.78", "3", "0", "备注说明"]
ROLES = ["l1", "l2", "name", "target_op", "target", "target_unit", "actual", "weight", "score", "note"]


def test_shared_and_plain_programmes_agree():
    rng = random.Random(7)
    for _ in range(3000):
        roles = rng.sample(ROLES, rng.randint(1, 8))
        texts = [rng.choice(TEXTS) for _ in range(rng.randint(0, 14))]
        # Columns that never match (-1 against the plain programme's -2) give no bonus: the same sums.
        assert align_texts(texts, roles) == align_texts(texts, roles, [-1] * len(roles))


def _in_order(text: str, table: tuple[tuple[str, tuple[str, ...]], ...]) -> str | None:
    """The header tests as written against the table, role by role (the compact text given)."""
    for role, words in table:
        if text in words:
            return role
    if len(text) > 12:
        return None
    if 4 <= len(text) <= 8:
        for role, words in table:
            if any(len(w) >= 4 and within_one_edit(text, w) for w in words):
                return role
    for role, words in table:
        if any(text.startswith(w) and (len(w) >= 3 or len(text) <= len(w) + 1) for w in words):
            return role
    return None


def _slip(rng: random.Random, word: str, chars: list[str]) -> str:
    """The word with one OCR-like slip (a character changed, added or lost, one appended) or none."""
    at, ch = rng.randrange(len(word)), rng.choice(chars)
    return [word[:at] + ch + word[at + 1:], word[:at] + ch + word[at:], word[:at] + word[at + 1:],
            word + ch, word][rng.randrange(5)]


def test_header_role_answers_as_the_table_in_order():
    rng = random.Random(11)
    for table in (FUND_HEADER_ROLES, INDICATOR_HEADER_ROLES):
        words = [w for _, ws in table for w in ws]
        chars = sorted({c for w in words for c in w}) + list("号数量额A12")
        found = 0
        for _ in range(4000):
            text = _slip(rng, rng.choice(words), chars)
            expected = _in_order(text, table)
            found += expected is not None
            assert header_role(text, table) == expected, text
        assert found > 1000  # the slips and prefixes were exercised, not only misses
