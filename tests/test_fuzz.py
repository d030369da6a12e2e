"""The fuzzer's small run (issue #11): every command on structurally mutated inputs.

The same cases as bench/fuzz.py (case numbers 0…N-1: deterministic), run
through a worker subprocess under RLIMIT_AS 1 GB and a 30 s timeout per case.
The suite fails on any traceback, internal error, hang, memory blow-up or
modified input.  The large run (>= 2,000 cases) is ``python bench/fuzz.py``;
its table is in docs/security.md.
"""

from __future__ import annotations

import sys

import pytest

from fuzz.runner import COMMANDS, FAILING, classify, make_cases, run, table, Case

N_CASES = 36  # six per command, about 30 s on the 2-core test machine


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_AS and select on pipes: POSIX")
def test_small_fuzz_run_has_no_traceback_hang_memory_or_modified_input(tmp_path):
    cases = make_cases(tmp_path, N_CASES)
    assert {c.command for c in cases} == set(COMMANDS)
    results = run(cases, timeout=30, memory_mb=1024)
    bad = [(r["n"], r["command"], r["ops"], r["class"], (r.get("tb") or r.get("stderr") or "")[-400:])
           for r in results if r["class"] in FAILING or r["modified"]]
    assert not bad, table(results) + "\n" + "\n".join(map(str, bad))


def test_classifier_is_not_blind():
    """The classes the suite fails on are really produced (a fuzzer that cannot fail proves nothing)."""
    case = Case(n=0, command="check", seed="x", ops=[], path="x")
    assert classify(case, {"code": -1, "tb": "Traceback (most recent call last):\n  ValueError"}) == "traceback"
    assert classify(case, {"code": -1, "tb": "MemoryError"}) == "memory"
    assert classify(case, {"code": 2, "stdout": "【无法读取】x：程序内部错误（TypeError）。"}) == "internal"
    assert classify(case, {"code": 2, "stdout": "【无法读取】x：文件已损坏"}) == "clear"
    assert classify(case, {"code": 3, "stdout": "?"}) == "traceback"
    assert classify(case, {"code": 0, "stdout": "【通过】"}) == "clean"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX")
def test_runner_reports_hangs_and_memory_blowups(tmp_path, monkeypatch):
    """A case that sleeps past the timeout is a hang; one that eats memory is memory."""
    import fuzz.runner as runner
    src = tmp_path / "x.txt"
    src.write_text("x")
    hang = Case(n=0, command="check", seed="x", ops=[], path=str(src), inputs=[str(src)],
                args=["__sleep__"])
    hog = Case(n=1, command="check", seed="x", ops=[], path=str(src), inputs=[str(src)],
               args=["__hog__"])
    res = run([hang, hog], timeout=3, memory_mb=1024)
    assert [r["class"] for r in res] == ["hang", "memory"]
