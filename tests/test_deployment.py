"""The deployment forms operators use: the Dockerfile, the README's systemd unit and configuration table.

No container can be built on the project's machines (no registry for base images), so the Dockerfile is read
and checked against what the code needs: the same facts a build would rely on.
"""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

from bot.cli import EXIT_CONFLICT
from bot.config import DEFAULT_DB
from bot.ui.chart import FONT_CANDIDATES

ROOT = Path(__file__).resolve().parents[1]


def dockerfile_stages() -> list[list[tuple[str, str]]]:
    """[(INSTRUCTION, arguments)] per stage, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text(encoding="utf-8"))
    stages: list[list[tuple[str, str]]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instruction, _, arguments = line.partition(" ")
        if instruction.upper() == "FROM":
            stages.append([])
        stages[-1].append((instruction.upper(), arguments.strip()))
    return stages


def final_stage() -> dict[str, list[str]]:
    instructions: dict[str, list[str]] = {}
    for instruction, arguments in dockerfile_stages()[-1]:
        instructions.setdefault(instruction, []).append(arguments)
    return instructions


def test_the_image_runs_the_bot_as_a_non_root_user_with_the_database_on_a_volume():
    final = final_stage()
    assert final["CMD"] == ['["passerelle", "run"]']
    user = final["USER"][-1]
    assert user not in ("root", "0") and re.search(rf"useradd .*\b{user}\b", " ".join(final["RUN"]))
    environment = dict(shlex.split(pair)[0].split("=", 1) for pair in re.findall(r"\S+=\S+", final["ENV"][0]))
    volumes = re.findall(r'"([^"]+)"', final["VOLUME"][0])
    assert Path(environment["PASSERELLE_DB"]).parent.as_posix() in volumes
    assert Path(environment["PASSERELLE_DB"]).name == DEFAULT_DB
    assert environment["PASSERELLE_WEBHOOK_LISTEN"] == "0.0.0.0"  # reachable from outside the container


def test_the_image_has_the_charts_font_and_a_health_check():
    final = final_stage()
    assert "fonts-dejavu-core" in " ".join(final["RUN"])
    assert FONT_CANDIDATES[0] == "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"  # where that package puts it
    assert final["HEALTHCHECK"][0].endswith('CMD ["passerelle", "health"]')


def test_the_image_is_built_from_files_that_exist_and_a_python_the_project_supports():
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    minimum = tuple(int(part) for part in re.search(r">=\s*([\d.]+)", requires).group(1).split("."))
    for stage in dockerfile_stages():
        base = stage[0][1].split()[0]
        version = tuple(int(part) for part in re.match(r"python:(\d+\.\d+)", base).group(1).split("."))
        assert version >= minimum, base
        for instruction, arguments in stage:
            if instruction == "COPY" and not arguments.startswith("--from"):
                for source in arguments.split()[:-1]:
                    assert (ROOT / source).exists(), source
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert ".venv*" in ignored and "*.sqlite3*" in ignored  # never ship a developer's database or venv


def readme_unit() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```ini\n(# /etc/systemd/system/passerelle.service\n.*?)```", readme, re.S).group(1)
    return block.splitlines()


def test_the_readme_systemd_unit_has_no_comment_on_a_setting_line_and_stops_on_a_conflict():
    for line in readme_unit():
        if "=" in line and not line.lstrip().startswith(("#", ";")):
            assert "#" not in line, f"systemd would read the comment as part of the value: {line}"
    settings = dict(line.split("=", 1) for line in readme_unit() if "=" in line and not line.startswith("#"))
    assert settings["RestartPreventExitStatus"] == str(EXIT_CONFLICT)
    assert settings["ExecStart"].endswith("passerelle run")


def test_the_readme_documents_every_environment_variable_the_bot_reads():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    read = set(re.findall(r'"((?:PASSERELLE|TELEGRAM)_[A-Z_]+)"', (ROOT / "bot" / "config.py").read_text()))
    assert read and {name for name in read if f"`{name}`" not in readme} == set()
