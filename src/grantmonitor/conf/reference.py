"""Print the reference of every environment variable the settings read (Markdown)."""

from grantmonitor.conf import settings  # noqa: F401 -- importing it records the variables
from grantmonitor.conf.environment import VARIABLES


def reference() -> str:
    lines = [
        "# Settings reference",
        "",
        "Every setting comes from the environment. Generated from",
        "`src/grantmonitor/conf/settings.py` by `python -m grantmonitor.conf.reference`;",
        "a test fails when this file is out of date.",
        "",
        "| variable | type | default | meaning |",
        "|---|---|---|---|",
    ]
    for variable in VARIABLES.values():
        if variable.default_text:
            default = variable.default_text
        elif variable.secret:
            default = "(development value; set your own)"
        elif variable.default in (None, "", []):
            default = "(empty)"
        else:
            default = f"`{variable.default}`"
        lines.append(f"| `{variable.name}` | {variable.kind} | {default} | {variable.help} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(reference(), end="")
