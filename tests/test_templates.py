"""The student template, its translated contracts, and the reference submission.

The template must import without side effects and raise ``NotImplementedError`` wherever the
student writes code; its Spanish docstrings are the single source of the ``template.<task>``
catalogue texts; the reference defines every name of the contract.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from harness import i18n, templates
from harness.errors import HarnessError, UsageError

# The public contract of DESIGN.md: the functions each file defines, with their parameters
# as ``name`` or ``name=default`` (annotations aside). Every task listed in PROGRAMS is also
# run as a script, so its file needs an ``if __name__ == "__main__":`` block.
CONTRACT: dict[str, dict[str, str]] = {
    "lab9.tcp_server": {},
    "lab9.tcp_client": {},
    "lab9.udp_server": {},
    "lab9.udp_client": {},
    "lab9.udp_time_server": {},
    "lab9.head_client": {},
    "recipes.r01_hostname": {"get_hostname": ""},
    "recipes.r02_host_ip": {"get_ip": "host"},
    "recipes.r03_ipv4_convert": {"ip_to_hex": "ip", "packed_to_ip": "packed"},
    "recipes.r04_service_name": {"service_name": "port, protocol='tcp'"},
    "recipes.r05_byte_order": {
        "to_network_long": "value",
        "to_host_long": "value",
        "to_network_short": "value",
        "to_host_short": "value",
    },
    "recipes.r06_socket_timeout": {"socket_with_timeout": "timeout"},
    "recipes.r07_socket_errors": {},
    "recipes.r08_buffer_size": {"set_buffer_sizes": "sock, send_size, recv_size"},
    "recipes.r09_blocking_mode": {"non_blocking_socket": ""},
    "recipes.r10_reuse_address": {},
    "recipes.r11_ntp_time": {"ntp_time": "server='pool.ntp.org'"},
    "recipes.r12_sntp_client": {"sntp_time": "server='es.pool.ntp.org'"},
    "recipes.r13_tcp_echo_server": {},
    "recipes.r13_tcp_echo_client": {},
    "recipes.r14_udp_echo_server": {},
    "recipes.r14_udp_echo_client": {},
    "recipes.r15_dns_lookup": {"lookup": "host, port=80"},
    "recipes.r16_raw_http": {"parse_url": "url", "http_get": "url"},
    "recipes.r17_rest_json": {"iss_position": "url='http://api.open-notify.org/iss-now.json'"},
    "recipes.r18_http_server": {},
}
FUNCTION_ONLY = {task for task, funcs in CONTRACT.items() if funcs} - {
    "recipes.r01_hostname",
    "recipes.r11_ntp_time",
    "recipes.r17_rest_json",
}
PROGRAMS = sorted(set(CONTRACT) - FUNCTION_ONLY)
TASKS = sorted(CONTRACT)


def _path(task: str) -> Path:
    return Path(*task.split(".")).with_suffix(".py")


def _catalogue_file(lang: str) -> dict[str, str]:
    path = Path(i18n.__file__).parent / lang / "templates.json"
    data: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _signatures(tree: ast.Module) -> dict[str, str]:
    """Top-level functions of a module as ``name -> "a, b=1"``.

    A default that names a module constant (``url=URL``) shows the constant's value.
    """
    constants = {
        node.targets[0].id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
        and isinstance(node.value, ast.Constant)
    }

    def shown(default: ast.expr) -> str:
        if isinstance(default, ast.Name) and default.id in constants:
            default = constants[default.id]
        return ast.unparse(default)

    found = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            args = node.args.posonlyargs + node.args.args
            defaults = [None] * (len(args) - len(node.args.defaults)) + list(node.args.defaults)
            found[node.name] = ", ".join(
                a.arg if d is None else f"{a.arg}={shown(d)}"
                for a, d in zip(args, defaults, strict=True)
            )
    return found


def _has_main_guard(tree: ast.Module) -> bool:
    return any(
        isinstance(node, ast.If)
        and ast.unparse(node.test) in {"__name__ == '__main__'", "'__main__' == __name__"}
        for node in tree.body
    )


# --- one catalogue, one set of files -------------------------------------------------------


def test_every_task_has_a_template_file_and_a_catalogue_text() -> None:
    keys = {key.removeprefix(templates.KEY_PREFIX) for key in _catalogue_file("es")}
    assert set(templates.template_files()) == set(CONTRACT)
    assert keys == set(CONTRACT)


def test_languages_have_the_same_template_keys() -> None:
    assert list(_catalogue_file("en")) == list(_catalogue_file("es"))
    assert all(key.startswith(templates.KEY_PREFIX) for key in _catalogue_file("es"))


@pytest.mark.parametrize("task", TASKS)
def test_spanish_catalogue_is_the_template_docstring(task: str) -> None:
    source = (templates.template_dir() / _path(task)).read_text(encoding="utf-8")
    assert templates.docstring_text(source) == i18n.t(templates.catalogue_key(task), "es")


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_template_texts_have_no_format_fields(lang: str) -> None:
    # Catalogue texts are str.format templates: a brace would break t(key, lang, **params).
    for key, text in _catalogue_file(lang).items():
        assert "{" not in text and "}" not in text, key


@pytest.mark.parametrize("task", TASKS)
def test_english_text_is_a_translation_not_a_copy(task: str) -> None:
    key = templates.catalogue_key(task)
    english = i18n.t(key, "en")
    assert english != i18n.t(key, "es")
    assert _path(task).as_posix() in english  # names the file, like the Spanish text


# --- the template ---------------------------------------------------------------------------


@pytest.mark.parametrize("task", TASKS)
def test_template_states_the_contract_names(task: str) -> None:
    source = (templates.template_dir() / _path(task)).read_text(encoding="utf-8")
    tree = ast.parse(source)
    signatures = _signatures(tree)
    for name, params in CONTRACT[task].items():
        assert signatures.get(name) == params, f"{task}: {name}({params}) expected"
        assert name in (ast.get_docstring(tree) or ""), f"{task}: docstring omits {name}"
    assert _has_main_guard(tree) == (task in PROGRAMS)


# Runs in a child: imports every template with sockets and input() disabled, then calls
# every function it defines and runs every program; prints one JSON report.
_PROBE = r"""
import builtins, contextlib, importlib.util, inspect, io, json, runpy, socket, sys

def forbidden(*args, **kwargs):
    raise AssertionError("side effect at import time")

report = {}
for task, path, is_program in json.loads(sys.argv[1]):
    entry = report[task] = {"output": "", "import_error": None, "not_raising": []}
    spec = importlib.util.spec_from_file_location("tpl_" + task.replace(".", "_"), path)
    module = importlib.util.module_from_spec(spec)
    out = io.StringIO()
    real = builtins.input, socket.socket
    builtins.input, socket.socket = forbidden, forbidden
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            spec.loader.exec_module(module)
    except BaseException as exc:
        entry["import_error"] = repr(exc)
    finally:
        builtins.input, socket.socket = real
    entry["output"] = out.getvalue()
    calls = [
        (name, fn) for name, fn in vars(module).items()
        if inspect.isfunction(fn) and fn.__module__ == module.__name__
    ]
    if is_program:
        calls.append(("__main__", lambda: runpy.run_path(path, run_name="__main__")))
    for name, fn in calls:
        params = inspect.signature(fn).parameters.values()
        args = [None for p in params if p.default is p.empty]
        sink = io.StringIO()
        try:
            with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                fn(*args)
        except NotImplementedError:
            continue
        except BaseException as exc:
            entry["not_raising"].append(f"{name}: {exc!r}")
        else:
            entry["not_raising"].append(f"{name}: returned")
print(json.dumps(report))
"""


@pytest.fixture(scope="module")
def probe_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, object]]:
    folder = templates.template_dir()
    jobs = [[task, str(folder / _path(task)), task in PROGRAMS] for task in TASKS]
    proc = subprocess.run(
        [sys.executable, "-B", "-I", "-c", _PROBE, json.dumps(jobs)],
        cwd=tmp_path_factory.mktemp("probe"),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    report: dict[str, dict[str, object]] = json.loads(proc.stdout)
    return report


@pytest.mark.parametrize("task", TASKS)
def test_template_imports_without_side_effects(
    task: str, probe_report: dict[str, dict[str, object]]
) -> None:
    entry = probe_report[task]
    assert entry["import_error"] is None
    assert entry["output"] == ""


@pytest.mark.parametrize("task", TASKS)
def test_template_stubs_raise_not_implemented(
    task: str, probe_report: dict[str, dict[str, object]]
) -> None:
    assert probe_report[task]["not_raising"] == []


# --- copy_template ----------------------------------------------------------------------------


def test_copy_template_in_spanish_is_byte_identical(tmp_path: Path) -> None:
    written = templates.copy_template(tmp_path / "x", lang="es")
    source = templates.template_dir()
    assert (tmp_path / "x" / "README.md") in written
    workflow = tmp_path / "x" / ".github" / "workflows" / "classroom.yml"
    assert workflow in written
    assert len(written) == len(CONTRACT) + 2
    for path in written:
        rel = path.relative_to(tmp_path / "x")
        assert path.read_bytes() == (source / rel).read_bytes(), rel


def _without_stub_texts(tree: ast.Module) -> list[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id == "NotImplementedError" and node.args:
            node.args[0] = ast.Constant("…")
    return [ast.dump(n) for n in tree.body[1:]]


def test_copy_template_in_english_swaps_only_the_docstring_and_stub_texts(
        tmp_path: Path) -> None:
    dest = tmp_path / "x"
    templates.copy_template(dest, lang="en")
    for task, rel in templates.template_files().items():
        copied = ast.parse((dest / rel).read_bytes())
        original = ast.parse((templates.template_dir() / rel).read_bytes())
        assert ast.get_docstring(copied) == i18n.t(templates.catalogue_key(task), "en")
        assert _without_stub_texts(copied) == _without_stub_texts(original)


def test_copy_template_accepts_an_empty_folder(tmp_path: Path) -> None:
    assert templates.copy_template(tmp_path)


def test_copy_template_refuses_a_folder_with_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(UsageError, match="not empty") as info:
        templates.copy_template(tmp_path)
    assert str(tmp_path) in str(info.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_copy_template_refuses_an_unknown_language(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="'fr'"):
        templates.copy_template(tmp_path / "x", lang="fr")
    assert not (tmp_path / "x").exists()


def test_replace_docstring_keeps_every_other_byte() -> None:
    source = '#!/usr/bin/env python3\n"""Antiguo: ñ."""  # nota\nx = "ü"\r\n'.encode()
    new = templates.replace_docstring(source, "New \\r\\n text")
    assert new == b'#!/usr/bin/env python3\nr"""New \\r\\n text\n"""  # nota\nx = "\xc3\xbc"\r\n'
    assert templates.docstring_text(new) == "New \\r\\n text"


def test_render_docstring_refuses_triple_quotes() -> None:
    with pytest.raises(ValueError, match='"""'):
        templates.render_docstring('say """hi"""')


# --- where the course data lives --------------------------------------------------------------


def test_data_root_holds_the_template_and_the_reference() -> None:
    root = templates.data_root()
    assert templates.template_dir() == root / "student_template"
    assert templates.reference_dir() == root / "reference"


def test_data_root_falls_back_to_the_package_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = tmp_path / "site" / "harness" / "templates.py"
    (module.parent / "_data" / "student_template").mkdir(parents=True)
    monkeypatch.setattr(templates, "__file__", str(module))
    assert templates.data_root() == module.parent / "_data"
    with pytest.raises(HarnessError, match="reference"):
        templates.reference_dir()


def test_data_root_missing_says_where_it_looked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = tmp_path / "site" / "harness" / "templates.py"
    monkeypatch.setattr(templates, "__file__", str(module))
    with pytest.raises(HarnessError, match="_data") as info:
        templates.data_root()
    assert str(tmp_path / "site" / "student_template") in str(info.value)


# --- the reference ------------------------------------------------------------------------------


@pytest.mark.parametrize("task", TASKS)
def test_reference_defines_the_contract(task: str) -> None:
    path = templates.reference_dir() / _path(task)
    tree = ast.parse(path.read_bytes(), filename=str(path))
    signatures = _signatures(tree)
    for name, params in CONTRACT[task].items():
        assert signatures.get(name) == params, f"{path}: {name}({params}) expected"
    if task in PROGRAMS:
        assert _has_main_guard(tree), f"{path}: no `if __name__ == '__main__':` block"
    assert "NotImplementedError" not in ast.unparse(tree)


def test_reference_has_exactly_the_template_files() -> None:
    reference = templates.reference_dir()
    found = {templates.task_of(p.relative_to(reference)) for p in reference.rglob("*.py")}
    assert found == set(CONTRACT)


def test_stub_messages_come_from_the_catalogue_in_either_language(tmp_path: Path) -> None:
    from harness.i18n import catalogue
    from harness.templates import stub_messages, task_of, template_dir

    es = catalogue("es")
    seen = set()
    for path in sorted(template_dir().rglob("*.py")):
        rel = path.relative_to(template_dir())
        for i, node in enumerate(stub_messages(path.read_bytes())):
            key = f"stub.{task_of(rel)}.{i}"
            assert es[key] == node.value, key
            seen.add(key)
    assert seen == {k for k in es if k.startswith("stub.")}
    templates.copy_template(tmp_path / "en", lang="en")
    en = catalogue("en")
    for path in sorted((tmp_path / "en").rglob("*.py")):
        rel = path.relative_to(tmp_path / "en")
        texts = [n.value for n in stub_messages(path.read_bytes())]
        assert texts == [en[f"stub.{task_of(rel)}.{i}"] for i in range(len(texts))]
        assert all(t.startswith("Write ") for t in texts)
