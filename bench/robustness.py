"""Robustness of content scoring: no way of gaming it pays, in English and Chinese.

The cases are tests/scoring/gaming.py (an adversary's list, written by us): number and date
stuffing, instructions to the scorer in many wordings (start, middle, end), buzzwords, a
list of the rubric's own indicator words, the question copied back, one answer reused for
every question, an off-topic story, a ten-times-too-long ramble, an answer in the other
language. Each is scored through the product's path (pipeline.AnswerScorer, then
report.build.build_report). Floors (issue 19):
- no gamed variant of an honest answer scores above the honest answer;
- gaming appended to weak answers raises the overall by at most 2 points, never the band;
- an off-topic answer reaches at most level 2 on the asked competency;
- a reused answer is counted once and named.

    bench/robustness.py        # about a minute on 2 CPU cores; last line one JSON object
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.scoring.gaming import check  # noqa: E402


def main() -> None:
    from interview.backend.registry import Backend
    from interview.pipeline import EMBEDDER, AnswerScorer

    scorer = AnswerScorer(Backend().embedder(EMBEDDER))
    results = {language: check(scorer, language) for language in ("en", "zh")}
    for language, r in results.items():
        print(
            f"{language}: honest {r['honest_overall']} weak {r['weak_overall']}; "
            f"{len(r['failures'])} failure(s)",
            file=sys.stderr,
        )
        for f in r["failures"]:
            print(f"  {f}", file=sys.stderr)
    results["passed"] = not any(r["failures"] for r in results.values() if isinstance(r, dict))
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
