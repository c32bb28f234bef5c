"""The example course packs and the README's "Write your first exercise", run as tests."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from harness.packs.course import prove_pack
from tests.conftest import REPO

EXAMPLES = sorted(p for p in (REPO / "examples").iterdir() if (p / "pack.toml").is_file())


def test_there_are_the_examples_the_issue_asks_for() -> None:
    assert {p.name for p in EXAMPLES} >= {"bases2023", "form_exam"}
    for pack in EXAMPLES:
        assert (pack / "reference").is_dir() and (pack / "template").is_dir()
        assert any((pack / "mutants").iterdir())


@pytest.mark.parametrize("pack", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_pack_is_proven_both_ways(pack: Path) -> None:
    outcome = prove_pack(pack, lang="en")
    assert outcome.ok, "\n".join(outcome.lines)
    assert any(line.startswith("✔ reference") for line in outcome.lines)
    assert sum(line.startswith("✔ mutant") for line in outcome.lines) >= 3


# ------------------------------------------------------------------ the README walkthrough

SECTION = re.compile(r"^### Write your first exercise\n(.*?)(?=^## |^### |\Z)", re.S | re.M)
BLOCK = re.compile(r"^```(\w+)([^\n]*)\n(.*?)^```", re.S | re.M)


def readme_steps() -> list[tuple[str, str, str]]:
    """``(language, info, body)`` of every code block of the section, in order."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    match = SECTION.search(text)
    assert match, "README: no section 'Write your first exercise'"
    return [(m.group(1), m.group(2).strip(), m.group(3)) for m in BLOCK.finditer(match.group(1))]


def run_step(lang: str, info: str, body: str, cwd: Path) -> str:
    """Do what one block says: run its commands, or write, append to, or merge into a file."""
    if lang == "sh":
        out = []
        for line in body.splitlines():
            command, _, comment = line.partition("#")
            if not command.strip():
                continue
            argv = shlex.split(command)
            assert argv[0] == "labgrade", line
            proc = subprocess.run([sys.executable, "-m", "harness.cli", *argv[1:]], cwd=cwd,
                                  capture_output=True, text=True, timeout=600, check=False)
            want = 1 if "exits 1" in comment else 0
            assert proc.returncode == want, f"{line}\n{proc.stdout}\n{proc.stderr}"
            out.append(proc.stdout)
        return "".join(out)
    words = info.split()
    path = cwd / words[0].removeprefix("file=")
    if "append" in words:
        with path.open("a", encoding="utf-8") as f:
            f.write("\n" + body)
    elif "merge" in words:
        data = json.loads(path.read_text(encoding="utf-8"))
        data.update(json.loads(body))
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    return ""


def test_readme_first_exercise(tmp_path: Path) -> None:
    steps = readme_steps()
    assert [lang for lang, _, _ in steps] == ["sh", "sh", "toml", "toml", "python", "json",
                                              "json", "sh", "sh"]
    outputs = [run_step(lang, info, body, tmp_path) for lang, info, body in steps]
    first_test, second_test, grading = outputs[1], outputs[7], outputs[8]
    assert "✔ reference: 3/3" in first_test and "✔ template: 0/3" in first_test
    assert "✔ reference: 4/4" in second_test and "✔ template: 0/4" in second_test
    assert "✔ mutant bytes_upper: loses mi_curso.upper_server.utf8" in second_test
    assert "✘" not in second_test
    assert "NotImplementedError" in grading
    results = json.loads((tmp_path / "informe" / "results.json").read_text(encoding="utf-8"))
    assert results["score"] == results["max_score"] == 4.0
    assert "Pasa a mayúsculas texto con acentos (UTF-8)" in [c["title"]
                                                             for c in results["checks"]]


def test_readme_toml_example_is_the_example_file() -> None:
    """The README's TOML example is an example pack's file, verbatim (and so proven)."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```toml example=(\S+)\n(.*?)^```", text, re.S | re.M)
    assert blocks, "README: no ```toml example=... block"
    for path, body in blocks:
        assert (REPO / path).read_text(encoding="utf-8") == body, path
