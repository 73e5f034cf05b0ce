#!/usr/bin/env python3
"""Every option --help lists is documented in docs/cli.md, and every option
docs/cli.md's option tables document is in --help, spelled the same.

usage: check_options_documented.py TCPSTATE docs/cli.md

--help: the lines that start an option ("  -r, --read FILE"). The doc: the
first cell of every table row that starts with an option ("| `-r FILE`,
`--read FILE` ... |"). Short options are compared too.
"""

import re
import subprocess
import sys

OPTION = re.compile(r"(?<![\w-])(--?[a-zA-Z][a-zA-Z0-9_-]*)")


def from_help(tcpstate):
    text = subprocess.run([tcpstate, "--help"], stdout=subprocess.PIPE,
                          check=True, text=True).stdout
    found = set()
    for line in text.splitlines():
        if re.match(r"^  -", line):
            for word in line.split():
                if word.startswith("-"):
                    found.add(word.rstrip(","))
    return found


def from_readme(path):
    found = set()
    for line in open(path, encoding="utf-8"):
        if not line.startswith("| `-") and not line.startswith("| `merge"):
            continue
        # "\|" inside a cell is an escaped bar (--format text\|json).
        first_cell = line.replace("\\|", "/").split("|")[1]
        for code in re.findall(r"`([^`]*)`", first_cell):
            for name in OPTION.findall(code):
                # -jN, -rFILE: the value attached, not another option.
                if name.startswith("--") or len(name) == 2:
                    found.add(name)
    return found


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    help_options = from_help(sys.argv[1])
    readme_options = from_readme(sys.argv[2])
    failures = []
    for name in sorted(help_options - readme_options):
        failures.append("%s is in --help but not in the doc's tables" % name)
    for name in sorted(readme_options - help_options):
        failures.append("%s is in the doc's tables but not in --help" % name)
    for f in failures:
        print("FAIL", f)
    print("%d options in --help, %d in the doc: %d differences" %
          (len(help_options), len(readme_options), len(failures)))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
