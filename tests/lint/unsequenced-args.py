#!/usr/bin/env python3
"""Lint: no call reads a variable in the same argument list as a call that
writes it through a pointer, e.g. f(r = g(&msg), msg) or
cmd_simple(req, daemon_mark(d, &msg), msg): C leaves the order of a call's
arguments unspecified, gcc reads msg first and clang last, so the two
builds behave differently (issue 19: refusals answered "Transport endpoint
is not connected" in the gcc build only). Assign the result first, then
call. Heuristic and source-level, so it holds for every compiler; a
function-like macro's arguments count as a call's.

Usage: unsequenced-args.py FILE.c...  (tests/lint/lint.cmake runs it over
appliance/, keys/, tests/ and bench/). Exit 1 with each finding listed."""

import re, sys

def strip(src):
    # remove comments and string/char literals (keep length/newlines)
    out = []
    i = 0
    n = len(src)
    while i < n:
        c = src[i]
        if src.startswith('/*', i):
            j = src.find('*/', i + 2); j = n if j < 0 else j + 2
            out.append(re.sub(r'[^\n]', ' ', src[i:j])); i = j
        elif src.startswith('//', i):
            j = src.find('\n', i); j = n if j < 0 else j
            out.append(' ' * (j - i)); i = j
        elif c in '"\'':
            j = i + 1
            while j < n and src[j] != c:
                j += 2 if src[j] == '\\' else 1
            out.append(c + ' ' * (j - i - 1) + c); i = j + 1
        else:
            out.append(c); i += 1
    return ''.join(out)

ident = re.compile(r'[A-Za-z_]\w*')
KW = {'if', 'while', 'for', 'switch', 'return', 'sizeof', 'do'}

def split_args(s, start):
    """s[start] == '(' ; returns (list of (argtext, offset)), end index"""
    depth = 0; args = []; cur = start + 1
    i = start
    while i < len(s):
        c = s[i]
        if c in '([{':
            depth += 1
        elif c in ')]}':
            depth -= 1
            if depth == 0:
                args.append((s[cur:i], cur)); return args, i
        elif c == ',' and depth == 1:
            args.append((s[cur:i], cur)); cur = i + 1
        elif c == ';' and depth <= 1:
            return None, i
        i += 1
    return None, i

def writes(arg):
    # &x passed to a call nested in this argument (not a cast, not sizeof)
    out = set()
    for m in re.finditer(r'\b([A-Za-z_]\w*)\s*\(', arg):
        if m.group(1) in KW:
            continue
        inner, _ = split_args(arg, m.end() - 1)
        for a, _ in inner or []:
            out |= set(x.group(1) for x in re.finditer(r'(?<![&\w])&\s*([A-Za-z_]\w*)\b(?!\s*(?:->|\.|\[))', a))
    return out

def reads(arg):
    out = set()
    arg = re.sub(r'\bsizeof\s*\([^()]*\)', ' ', arg)
    for m in ident.finditer(arg):
        before = arg[:m.start()].rstrip()
        if before.endswith('&') and not before.endswith('&&'):
            continue
        if before.endswith('.') or before.endswith('->'):
            continue
        out.add(m.group(0))
    return out

found = []


def scan(path):
    src = strip(open(path, errors='replace').read())
    for m in re.finditer(r'\b([A-Za-z_]\w*)\s*\(', src):
        if m.group(1) in KW:
            continue
        args, end = split_args(src, m.end() - 1)
        if not args or len(args) < 2:
            continue
        for i, (a, off) in enumerate(args):
            for w in writes(a):
                for j, (b, _) in enumerate(args):
                    if j != i and w in reads(b):
                        line = src.count('\n', 0, m.start()) + 1
                        found.append(f"{path}:{line}: {m.group(1)}(): argument {i+1} writes {w} through a "
                                     f"pointer, argument {j+1} reads it")


def main():
    for p in sys.argv[1:]:
        scan(p)
    for f in found:
        print(f)
    if found:
        print("a call writes a variable through a pointer while another argument of the same call reads it: "
              "C leaves their order unspecified; assign the call's result to a variable first")
        return 1
    print(f"unsequenced-args: {len(sys.argv) - 1} files clean")
    return 0


if __name__ == "__main__":
    sys.exit(main())
