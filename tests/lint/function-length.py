#!/usr/bin/env python3
"""Lint: no function in production code is longer than 60 lines (issue 21,
STYLE.md rule 4: "functions that fit on a screen").

A function definition is a line that starts at column 0 with an identifier
and ends in ") {" (after the parameter list, which may span lines), and
runs through the next "}" at column 0. Its length counts the lines from the
first line of the signature to that closing brace. An initializer ("= {")
is not a function.

A table -- a function whose body is mostly one static array initializer,
such as a string table or a dispatch table -- may be exempted by the
marker comment "/* lint: table */" on the line just before the function.
Use it for real tables only; anything else is split into helpers.

Usage: function-length.py [FILE.c...]  Without arguments it checks
appliance/**/*.c and keys/**/*.c under $STUDIO_SOURCE_DIR (or the current
folder). Exit 1 with each finding listed."""

import os
import re
import sys
from pathlib import Path

LIMIT = 60
TABLE_MARKER = '/* lint: table */'


START = re.compile(r'^[A-Za-z_]')
NAME = re.compile(r'([A-Za-z_]\w*)\s*\(')


def without_attributes(text):
    """TEXT with each __attribute__((...)) taken out, so that the name
    found is the function's."""
    while (k := text.find('__attribute__')) >= 0:
        depth, j = 0, text.find('(', k)
        while j >= 0 and j < len(text):
            depth += {'(': 1, ')': -1}.get(text[j], 0)
            if depth == 0:
                break
            j += 1
        if j < 0 or j >= len(text):
            break
        text = text[:k] + text[j + 1:]
    return text


def functions(lines):
    """(first line number, name, length, marked as table) of each function
    definition in the file, line numbers from 1."""
    found = []
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        if not START.match(line) or line.rstrip().endswith(':'):
            i += 1
            continue
        # The signature may span lines: gather until "{" or ";" ends it.
        j = i
        text = line.rstrip()
        while not text.endswith(('{', ';', '}')) and j + 1 < n and j - i < 12:
            if '=' in text or not lines[j + 1].strip():
                break  # an initializer, or a blank line: no signature
            if text.endswith(')') and text.count('(') == text.count(')'):
                break  # a whole macro call such as G_DEFINE_TYPE (...)
            j += 1
            text += ' ' + lines[j].strip()
        stripped = text.rstrip()
        if not stripped.endswith(') {') or re.search(r'=\s*\{$', stripped) \
                or re.search(r'\)\s*=', stripped):
            i += 1
            continue
        m = NAME.search(without_attributes(text))
        if not m:
            i += 1
            continue
        end = j + 1
        while end < n and not lines[end].startswith('}'):
            end += 1
        table = i > 0 and lines[i - 1].strip() == TABLE_MARKER
        found.append((i + 1, m.group(1), end - i + 1, table))
        i = end + 1
    return found


def main(argv):
    root = Path(os.environ.get('STUDIO_SOURCE_DIR', '.'))
    if argv:
        files = [Path(a) for a in argv]
    else:
        files = sorted(list(root.glob('appliance/**/*.c')) + list(root.glob('keys/**/*.c')))
    if not files:
        print(f'function-length: no C files under {root}/appliance or {root}/keys', file=sys.stderr)
        return 1
    findings = []
    for path in files:
        rel = os.path.relpath(path, root)
        lines = path.read_text(encoding='utf-8', errors='replace').split('\n')
        for line, name, length, table in functions(lines):
            if length <= LIMIT or table:
                continue
            findings.append(f'  {rel}:{line}: {name}() is {length} lines')
    if findings:
        print(f'Functions longer than {LIMIT} lines (signature to closing brace):')
        print('\n'.join(findings))
        print(f'Split each into helpers with one purpose each, named for what they do, '
              f'until it fits in {LIMIT} lines. A function that is mostly one static '
              f'table may instead carry "{TABLE_MARKER}" on the line before it.')
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
