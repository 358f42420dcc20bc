#!/usr/bin/env python3
"""Lint: no function mixes the two cleanup styles (STYLE.md, rule 3).

GLib code may use g_autoptr/g_autofree/g_auto; plain C code uses the
cleanup attribute (_cleanup_free_, _cleanup_close_, _cleanup_(f)...).
A function that holds both makes the reader track two sets of rules for
what is freed, by what and when (g_free or free, close or g_auto(fd_owned)):
pick the style of the file's neighbours and use the other one's
counterpart (common/fdutil.h, sha256.h and sodium-mem.h have both).

Heuristic and source-level: comments and string literals are ignored, a
function is a brace block at file level after a parameter list, and a
macro body counts for nothing.

Usage: cleanup-styles.py FILE.c...  (tests/lint/lint.cmake runs it over
appliance/, keys/, tests/ and bench/). Exit 1 with each finding listed."""

import re
import sys

ATTR = re.compile(r'\b_cleanup_\w*')
GLIB = re.compile(r'\bg_auto(?:ptr|free|list|slist|queue)?\b')
NAME = re.compile(r'([A-Za-z_]\w*)\s*\([^;{}]*\)\s*(?:G_GNUC_\w+\s*)*$', re.S)


def strip(src):
    """Comments, string and character literals and preprocessor lines
    blanked out (newlines kept, so line numbers hold)."""
    out = []
    i, n = 0, len(src)
    at_line_start = True
    while i < n:
        c = src[i]
        if at_line_start and src[i:].lstrip(' \t').startswith('#'):
            j = i
            while True:  # a directive and its continuation lines
                k = src.find('\n', j)
                k = n if k < 0 else k
                if k > 0 and src[k - 1] == '\\' and k < n:
                    j = k + 1
                    continue
                break
            out.append(re.sub(r'[^\n]', ' ', src[i:k]))
            i = k
            continue
        if src.startswith('/*', i):
            j = src.find('*/', i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r'[^\n]', ' ', src[i:j]))
            i = j
        elif src.startswith('//', i):
            j = src.find('\n', i)
            j = n if j < 0 else j
            out.append(' ' * (j - i))
            i = j
        elif c in '"\'':
            j = i + 1
            while j < n and src[j] != c and src[j] != '\n':
                j += 2 if src[j] == '\\' else 1
            out.append(c + re.sub(r'[^\n]', ' ', src[i + 1:j]) + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
        at_line_start = c == '\n' or (at_line_start and c in ' \t')
    return ''.join(out)


def functions(src):
    """(name, first line, body) of every brace block at file level that
    follows a parameter list."""
    depth, start = 0, None
    for i, c in enumerate(src):
        if c == '{':
            if depth == 0:
                start = i
            depth += 1
        elif c == '}' and depth > 0:
            depth -= 1
            if depth == 0 and start is not None:
                head = src[max(0, start - 600):start]
                head = head[max(head.rfind(';'), head.rfind('}')) + 1:]
                m = NAME.search(head)
                if m and m.group(1) not in ('if', 'while', 'for', 'switch'):
                    yield m.group(1), src.count('\n', 0, start) + 1, src[start:i + 1]
                start = None


def main(paths):
    found = 0
    for path in paths:
        try:
            with open(path, encoding='utf-8', errors='replace') as f:
                src = strip(f.read())
        except OSError as e:
            print(f'{path}: {e.strerror}')
            found += 1
            continue
        for name, line, body in functions(src):
            if ATTR.search(body) and GLIB.search(body):
                print(f'{path}:{line}: {name}() mixes _cleanup_ and g_auto*: use one style')
                found += 1
    if found:
        print(f'{found} function(s) mix the two cleanup styles (STYLE.md, rule 3)')
        return 1
    print(f'cleanup styles: {len(paths)} files, no function mixes them')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
