#!/usr/bin/env python3
"""conf-set.py FILE GROUP KEY VALUE [GROUP KEY VALUE ...]: sets keys in a
GKeyFile (studio.conf) for a test, replacing a key that is there and adding
the group when it is missing; comments and every other line stay."""
import sys


def main():
    path, rest = sys.argv[1], sys.argv[2:]
    if len(rest) % 3:
        sys.exit("conf-set.py: give GROUP KEY VALUE triples")
    lines = open(path, encoding="utf-8").read().splitlines()
    for i in range(0, len(rest), 3):
        group, key, value = rest[i:i + 3]
        lines = set_key(lines, group, key, value)
    open(path, "w", encoding="utf-8").write("\n".join(lines) + "\n")


def set_key(lines, group, key, value):
    start = next((i for i, l in enumerate(lines) if l.strip() == f"[{group}]"), None)
    if start is None:
        return lines + ["", f"[{group}]", f"{key}={value}"]
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("[")), len(lines))
    for i in range(start + 1, end):
        if lines[i].split("=", 1)[0].strip() == key:
            lines[i] = f"{key}={value}"
            return lines
    return lines[:start + 1] + [f"{key}={value}"] + lines[start + 1:]


main()
