"""The student template and the reference submission: where they live, and handing the
template to a student in their language.

Each ``.py`` file of ``student_template/`` opens with a module docstring that states its
contract. The message catalogues hold that text under ``template.<task>``
(``template.lab9.tcp_server`` for ``lab9/tcp_server.py``); the Spanish catalogue is exactly
the docstring of the file (a test enforces it), and :func:`copy_template` swaps it for the
student's language, leaving every other byte of the file as it is.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

from harness import i18n
from harness.errors import HarnessError, UsageError, os_reason

TEMPLATE_DIRNAME = "student_template"
REFERENCE_DIRNAME = "reference"
KEY_PREFIX = "template."
README_VARIANT = re.compile(r"README\.[a-z]{2}\.md")
"""The template's README in another language (``README.en.md``); ``README.md`` is Spanish."""
_IGNORED_PARTS = frozenset({"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"})


def data_root() -> Path:
    """The folder that holds ``student_template/`` and ``reference/``.

    A source checkout has them at the repository root, next to the package; an installed
    build ships them in ``harness/_data/``.
    """
    here = Path(__file__).resolve()
    candidates = (here.parents[1], here.parent / "_data")
    for root in candidates:
        if (root / TEMPLATE_DIRNAME).is_dir():
            return root
    looked = " and ".join(str(root / TEMPLATE_DIRNAME) for root in candidates)
    raise HarnessError(
        f"cannot find the course data: looked for {looked}. Run labgrade from a source "
        "checkout, or reinstall a build of labgrade that ships harness/_data/."
    )


def template_dir() -> Path:
    """The ``student_template/`` folder."""
    return data_root() / TEMPLATE_DIRNAME


def reference_dir() -> Path:
    """The ``reference/`` folder: a complete, correct submission."""
    root = data_root()
    folder = root / REFERENCE_DIRNAME
    if not folder.is_dir():
        raise HarnessError(
            f"cannot find the reference submission: {folder} is missing next to "
            f"{root / TEMPLATE_DIRNAME}. Reinstall labgrade, or restore reference/ in the checkout."
        )
    return folder


def task_of(relpath: Path | str) -> str:
    """The task of a file of a submission: ``lab9/tcp_server.py`` is ``lab9.tcp_server``."""
    return ".".join(Path(relpath).with_suffix("").parts)


def catalogue_key(task: str) -> str:
    """The catalogue key that holds the contract text of ``task``."""
    return KEY_PREFIX + task


def template_files(folder: Path | None = None) -> dict[str, Path]:
    """Every ``.py`` file of the template, by task, as paths relative to the folder."""
    folder = template_dir() if folder is None else folder
    return {task_of(rel): rel for rel in _files(folder) if rel.suffix == ".py"}


def render_docstring(text: str) -> str:
    """The source of a module docstring holding ``text`` (a raw string if it has backslashes).

    The closing quotes go on their own line, so the text never touches them.
    """
    if '"""' in text:
        raise ValueError('a template docstring cannot contain """')
    prefix = "r" if "\\" in text else ""
    return f'{prefix}"""{text}\n"""'


def docstring_text(source: str | bytes) -> str | None:
    """The module docstring of ``source``, cleaned as :func:`ast.get_docstring` does."""
    return ast.get_docstring(ast.parse(source), clean=True)


def replace_docstring(source: bytes, text: str, *, where: str = "<template>") -> bytes:
    """``source`` with its module docstring replaced by ``text``; every other byte kept."""
    tree = ast.parse(source, filename=where)
    node = tree.body[0] if tree.body else None
    if not (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    ):
        raise HarnessError(f"{where}: the template file has no module docstring to translate")
    # Line numbers count from 1, column offsets are in UTF-8 bytes: slice the bytes.
    lines = source.splitlines(keepends=True)
    first, last = node.lineno - 1, (node.end_lineno or node.lineno) - 1
    head = lines[first][: node.col_offset]
    tail = lines[last][node.end_col_offset :]
    new = head + render_docstring(text).encode("utf-8") + tail
    return b"".join(lines[:first]) + new + b"".join(lines[last + 1 :])


def stub_messages(source: bytes, *, where: str = "<template>") -> list[ast.Constant]:
    """The string constants of ``NotImplementedError("...")`` in a template file, in order
    (their texts are the catalogue's ``stub.<task>.<n>``)."""
    tree = ast.parse(source, filename=where)
    found = [node.args[0] for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
             and node.func.id == "NotImplementedError" and node.args
             and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)]
    return sorted(found, key=lambda n: (n.lineno, n.col_offset))


def replace_stub_messages(source: bytes, texts: list[str], *, where: str = "<template>") -> bytes:
    """``source`` with each stub message replaced by the text of the same index."""
    nodes = stub_messages(source, where=where)
    if len(nodes) != len(texts):
        raise HarnessError(f"{where}: {len(nodes)} stub messages, {len(texts)} translations")
    lines = source.splitlines(keepends=True)
    for node, text in sorted(zip(nodes, texts, strict=True),
                             key=lambda pair: (pair[0].lineno, pair[0].col_offset),
                             reverse=True):  # right to left keeps the offsets valid
        if node.lineno != node.end_lineno:
            raise HarnessError(f"{where}:{node.lineno}: a stub message must fit on one line")
        i = node.lineno - 1
        line = lines[i]
        literal = json.dumps(text, ensure_ascii=False).encode("utf-8")
        lines[i] = line[: node.col_offset] + literal + line[node.end_col_offset:]
    return b"".join(lines)


def copy_template(dest: Path, *, lang: str = i18n.DEFAULT_LANG) -> list[Path]:
    """Copy ``student_template/`` into ``dest`` with its contracts in ``lang``.

    ``dest`` must not exist or be an empty folder. Returns the files written, in order.
    """
    dest = Path(dest)
    if lang not in i18n.LANGS:
        raise UsageError(f"unknown language {lang!r}; choose one of {', '.join(i18n.LANGS)}")
    try:
        if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
            raise UsageError(key="usage.new_not_empty", path=str(dest))
        dest.mkdir(parents=True, exist_ok=True)
        probe = dest / ".labgrade-write-test"
        probe.touch()
        probe.unlink()
    except OSError as exc:
        raise UsageError(key="usage.new_cannot_write", path=str(dest),
                         reason=os_reason(exc)) from exc
    texts = i18n.catalogue(lang)
    source = template_dir()
    written: list[Path] = []
    for rel in _files(source):
        if README_VARIANT.fullmatch(rel.name):  # README.<lang>.md: copied as README.md
            continue
        if rel.name == "README.md" and (source / rel.parent / f"README.{lang}.md").is_file():
            rel_src = rel.parent / f"README.{lang}.md"
        else:
            rel_src = rel
        data = (source / rel_src).read_bytes()
        if rel.suffix == ".py":
            key = catalogue_key(task_of(rel))
            if key not in texts:
                raise HarnessError(f"{rel}: no text {key!r} in the {lang} catalogue")
            data = replace_docstring(data, texts[key], where=str(rel))
            task = task_of(rel)
            stubs = [texts[f"stub.{task}.{i}"] for i in range(len(stub_messages(data)))]
            data = replace_stub_messages(data, stubs, where=str(rel))
        out = dest / rel
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data)
        except OSError as exc:
            raise UsageError(key="usage.new_cannot_write", path=str(out),
                             reason=os_reason(exc)) from exc
        written.append(out)
    return written


def _files(folder: Path) -> list[Path]:
    """Files under ``folder``, relative and sorted, without caches or compiled files."""
    found = []
    for path in folder.rglob("*"):
        rel = path.relative_to(folder)
        if _IGNORED_PARTS.intersection(rel.parts) or path.suffix == ".pyc" or not path.is_file():
            continue
        found.append(rel)
    return sorted(found)
