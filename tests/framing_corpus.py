"""The labelled corpus of the framing check (tests/data/framing_corpus_*.tsv) and the figures computed on it.

Each line: split (train: used to tune the lexicons; heldout: never tuned on), language of the text, label
(equipment: the reply is about means; practice: it tells how people organise, even when it names tools or money)
and the text, with "\\n" for a line break. Lines starting with # are comments.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

CORPUS_DIR = Path(__file__).resolve().parent / "data"
LANGUAGES = ("fr", "en", "ee")


@dataclass(frozen=True)
class Reply:
    split: str
    language: str
    label: str
    text: str


@dataclass(frozen=True)
class Scores:
    equipment: int
    practice: int
    flagged_equipment: int
    flagged_practice: int

    @property
    def recall(self) -> float:
        return self.flagged_equipment / self.equipment if self.equipment else 1.0

    @property
    def false_flag_rate(self) -> float:
        return self.flagged_practice / self.practice if self.practice else 0.0

    @property
    def precision(self) -> float:
        flagged = self.flagged_equipment + self.flagged_practice
        return self.flagged_equipment / flagged if flagged else 1.0


def load_corpus() -> list[Reply]:
    replies = []
    for language in LANGUAGES:
        for line in (CORPUS_DIR / f"framing_corpus_{language}.tsv").read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            split, lang, label, text = line.split("\t")
            assert split in ("train", "heldout") and lang == language and label in ("equipment", "practice"), line
            replies.append(Reply(split, lang, label, text.replace("\\n", "\n")))
    return replies


def scores(flagged: Mapping[Reply, bool]) -> Scores:
    equipment = [reply for reply in flagged if reply.label == "equipment"]
    practice = [reply for reply in flagged if reply.label == "practice"]
    return Scores(len(equipment), len(practice), sum(flagged[r] for r in equipment), sum(flagged[r] for r in practice))
