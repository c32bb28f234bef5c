"""Run labgrade on Gradescope's own machines.

Gradescope builds an image from an *autograder zip* (its ``setup.sh`` runs once), then, for
every submission, runs ``run_autograder`` with the student's files in
``/autograder/submission`` and shows what it finds in ``/autograder/results/results.json``.
This package ships both scripts (``harness/gradescope/setup.sh``, ``run_autograder``) and:

    python -m harness.gradescope bundle autograder.zip [--spec SPEC] [--lang es]
                                        [--only lab9] [--rubric FILE] [--timeout S]
                                        [--course DIR ...]
    python -m harness.gradescope run [--root /autograder]

``bundle`` writes the zip to upload: the two scripts, ``requirements.txt`` (what ``pip``
installs: ``--spec``, required, e.g. ``labgrade @ git+https://github.com/<course>/labgrade@v1``) and
``labgrade.json`` (the grading settings). ``run`` (what ``run_autograder`` calls) grades a
private copy of the submission and writes Gradescope's ``results.json`` with
:func:`harness.exports.write_gradescope`. The root moves with ``--root`` or the
``LABGRADE_AUTOGRADER_ROOT`` environment variable (tests use a fake one).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import zipfile
from importlib import resources
from pathlib import Path
from typing import Any

from harness.batch_zip import UnsafeArchive, extract, submission_root
from harness.errors import HarnessError, UsageError, os_reason
from harness.i18n import DEFAULT_LANG, LANGS, t

ROOT_ENV = "LABGRADE_AUTOGRADER_ROOT"
DEFAULT_ROOT = Path("/autograder")
CONFIG = "labgrade.json"
RUBRIC = "rubric.toml"
SCRIPTS = ("setup.sh", "run_autograder")
COURSES = "courses"


def script(name: str) -> str:
    """The text of a shipped script (``setup.sh`` or ``run_autograder``)."""
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def autograder_root(root: Path | None = None) -> Path:
    return root or Path(os.environ.get(ROOT_ENV) or DEFAULT_ROOT)


def read_config(root: Path) -> dict[str, Any]:
    path = root / "source" / CONFIG
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise UsageError(key="usage.gradescope.config", path=str(path), error=str(exc)) \
            from exc
    if not isinstance(data, dict):
        raise UsageError(key="usage.gradescope.config", path=str(path),
                         error=type(data).__name__)
    return data


def _student_name(root: Path) -> str:
    """The submitters' names from Gradescope's ``submission_metadata.json``, if any."""
    try:
        meta = json.loads((root / "submission_metadata.json").read_text(encoding="utf-8"))
        names = [u.get("name") for u in meta.get("users", []) if isinstance(u, dict)]
    except (OSError, ValueError, AttributeError):
        return ""
    return ", ".join(n for n in names if isinstance(n, str) and n)


def _copy_submission(src: Path, dest: Path) -> Path:
    """A private copy of the submission (links copied as links, never followed); a lone
    uploaded ``.zip`` is extracted safely."""
    if not src.is_dir():
        raise HarnessError(f"no submission folder at {src}")
    shutil.copytree(src, dest, symlinks=True)
    entries = [p for p in dest.iterdir() if not p.name.startswith(".")]
    if len(entries) == 1 and entries[0].is_file() and entries[0].suffix.lower() == ".zip":
        return submission_root(extract(entries[0], dest.with_name("unzipped")))
    return submission_root(dest)


def run(root: Path | None = None) -> Path:
    """Grade ``ROOT/submission`` and write ``ROOT/results/results.json``; return its path.

    A submission that cannot be graded still gets a ``results.json`` (score 0, the reason
    in its output), so the student reads why instead of Gradescope's generic failure.
    """
    from harness.engine import grade
    from harness.exports import write_gradescope

    root = autograder_root(root)
    cfg = read_config(root)
    lang = cfg.get("lang") or os.environ.get("LABGRADE_LANG") or DEFAULT_LANG
    if lang not in LANGS:
        raise UsageError(key="usage.gradescope.lang", value=repr(lang),
                         path=str(root / "source" / CONFIG), choices=", ".join(LANGS))
    rubric = root / "source" / cfg["rubric"] if cfg.get("rubric") else None
    courses = [root / "source" / COURSES / name for name in cfg.get("courses") or []]
    results = root / "results" / "results.json"
    with tempfile.TemporaryDirectory(prefix="labgrade-gs-") as tmp:
        try:
            folder = _copy_submission(root / "submission", Path(tmp) / "submission")
            result = grade(folder, lang=lang, rubric=rubric, timeout=cfg.get("timeout"),
                           isolation=cfg.get("isolation", "auto"), only=cfg.get("only"),
                           name=_student_name(root) or "submission", report=False,
                           courses=courses)
        except UnsafeArchive as exc:
            return _write_failure(results, exc.message(lang), lang)
        except UsageError:
            raise
        except HarnessError as exc:
            return _write_failure(results, exc.message(lang), lang)
    return write_gradescope(result, results, lang=lang)


def _write_failure(path: Path, reason: str, lang: str) -> Path:
    data = {"score": 0, "execution_time": 0, "output": t("batch.gradescope.failed", lang,
                                                          reason=reason),
            "output_format": "text", "visibility": "visible", "stdout_visibility": "hidden",
            "tests": []}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def bundle(path: Path, *, spec: str | None = None, lang: str = DEFAULT_LANG,
           only: list[str] | None = None, rubric: Path | None = None,
           timeout: float | None = None, isolation: str = "auto",
           courses: list[Path] | None = None) -> Path:
    """Write the autograder zip to upload to Gradescope; return its path. ``courses``: course
    packs to grade with (their pack.toml, catalogues and checks go in the zip; never their
    reference, template or mutants).

    ``spec`` (what ``pip`` installs there) must be given: a bare ``labgrade`` default would
    install whatever a package index publishes under that name."""
    if not (spec or "").strip():
        raise UsageError(key="usage.spec_missing")
    assert spec is not None
    if lang not in LANGS:
        raise UsageError(f"invalid language {lang!r} from --lang; choose one of "
                         f"{', '.join(LANGS)}")
    cfg: dict[str, Any] = {"lang": lang, "only": only or None, "timeout": timeout,
                           "isolation": isolation}
    if rubric is not None:
        from harness.rubric import load

        load(rubric)  # a broken rubric fails here, not on Gradescope
        cfg["rubric"] = RUBRIC
    from harness.packs import load_all

    packs = load_all(list(courses or []))  # a broken pack fails here, not on Gradescope
    if packs:
        cfg["courses"] = [p.name for p in packs]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_bundle(path, spec, cfg, rubric, packs)
    except OSError as exc:
        raise UsageError(key="usage.cannot_write", path=str(path), reason=os_reason(exc)) \
            from exc
    return path


def _write_bundle(path: Path, spec: str, cfg: dict[str, Any], rubric: Path | None,
                  packs: list[Any]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in SCRIPTS:
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o100755 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, script(name))
        zf.writestr("requirements.txt", spec.strip() + "\n")
        zf.writestr(CONFIG, json.dumps(cfg, indent=2) + "\n")
        if rubric is not None:
            zf.writestr(RUBRIC, rubric.read_bytes())
        for pack in packs:
            for part in [pack.root / "pack.toml", *sorted((pack.root / "i18n").glob("*.json")),
                         *sorted(p for p in (pack.root / "checks").glob("*") if p.is_file())]:
                zf.write(part, f"{COURSES}/{pack.name}/{part.relative_to(pack.root).as_posix()}")
