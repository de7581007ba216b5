"""Measure the framing check on the labelled corpus (tests/data/framing_corpus_*.tsv).

    python bench/framing.py                 # held-out part: the figures reported in BENCHMARKS.md
    python bench/framing.py --split train   # the part the lexicons were tuned on
    python bench/framing.py --errors        # also list the replies it gets wrong

Each reply is read as the bot reads it: its language is detected from the text, with the labelled language as the
fallback an author's interface would give (--fallback other: a language the text is *not* written in, to check
that the interface language does not decide). Prints precision and recall on equipment-centred replies, the share
of practice-centred replies flagged (false flags), per language and overall, and the time per reply.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.domain.framing import assess_framing  # noqa: E402
from tests.framing_corpus import Reply, load_corpus, scores  # noqa: E402

OTHER = {"fr": "ee", "en": "ee", "ee": "fr"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", choices=("heldout", "train", "all"), default="heldout")
    parser.add_argument("--fallback", choices=("same", "other"), default="same")
    parser.add_argument("--errors", action="store_true")
    args = parser.parse_args()
    replies = [r for r in load_corpus() if args.split in ("all", r.split)]

    def fallback(reply: Reply) -> str:
        return reply.language if args.fallback == "same" else OTHER[reply.language]

    assess_framing("warm-up: load the language models once", "en")
    flagged = {reply: assess_framing(reply.text, fallback(reply)).is_equipment_centred for reply in replies}
    print(f"split: {args.split}, {len(replies)} replies, fallback language: {args.fallback}")
    print(f"{'language':<9} {'n':>4} {'precision':>10} {'recall':>8} {'false flags':>12}")
    for language in ("fr", "en", "ee", "all"):
        subset = {r: f for r, f in flagged.items() if language in ("all", r.language)}
        s = scores(subset)
        print(f"{language:<9} {len(subset):>4} {s.precision:>10.2f} {s.recall:>8.2f} {s.false_flag_rate:>12.2f}"
              f"   ({s.flagged_equipment}/{s.equipment} equipment flagged, {s.flagged_practice}/{s.practice} "
              f"practice flagged)")
    if args.errors:
        for reply, flag in flagged.items():
            if flag != (reply.label == "equipment"):
                assessment = assess_framing(reply.text, fallback(reply))
                print(f"\n[{reply.language} {reply.label}] {reply.text}\n  read as {assessment.language}; "
                      f"means {assessment.equipment_hits}; practice {assessment.practice_hits}")
    texts = [r.text for r in replies]
    wall, cpu = [], []
    for _ in range(20):
        wall_start, cpu_start = time.perf_counter(), time.process_time()
        for text in texts:
            assess_framing(text, "fr")
        wall.append((time.perf_counter() - wall_start) / len(texts))
        cpu.append((time.process_time() - cpu_start) / len(texts))
    longest = max(texts, key=len)
    start = time.process_time()
    for _ in range(2000):
        assess_framing(longest, "fr")
    long_time = (time.process_time() - start) / 2000
    print(f"\ntime per reply (language detection included), median of 20 passes over these replies: "
          f"{statistics.median(cpu) * 1e6:.0f} µs of CPU ({statistics.median(wall) * 1e6:.0f} µs wall clock, "
          f"slowest pass {max(wall) * 1e6:.0f} µs); longest reply ({len(longest)} characters): "
          f"{long_time * 1e6:.0f} µs of CPU")

if __name__ == "__main__":
    main()
