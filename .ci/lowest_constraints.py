"""Print pip constraints pinning every direct dependency (and test extra) of pyproject.toml to its lower bound.

`pip install -c <this output> '.[test]'` then installs what the bounds claim to support at their lowest, as
`uv pip install --resolution lowest-direct` would: a lower bound that is wrong fails CI.
"""

import re
import sys
import tomllib
from pathlib import Path

project = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())["project"]
requirements = project["dependencies"] + project["optional-dependencies"]["test"]
for requirement in requirements:
    match = re.match(r"^([A-Za-z0-9_.-]+)(\[[^\]]*\])?\s*(.*)$", requirement)
    name, specifiers = match.group(1), match.group(3)
    lower = re.search(r">=\s*([0-9][^,\s;]*)", specifiers)
    if lower is None:
        sys.exit(f"{name}: no lower bound (>=) in pyproject.toml")
    print(f"{name}=={lower.group(1)}")
