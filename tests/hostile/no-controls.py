#!/usr/bin/env python3
"""no-controls.py FILE...: exit 1 (and say where) when a file holds what must
never reach a terminal or a page from a session string: bytes that are not
UTF-8, a C0 control other than newline and tab (ESC above all), DEL, a C1
control (U+0080-U+009F), or a bidirectional control (U+202A-U+202E,
U+2066-U+2069, U+200E, U+200F, U+061C)."""
import sys

BIDI = set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A)) | {0x200E, 0x200F, 0x061C}


def bad(cp):
    return (cp < 0x20 and cp not in (0x0A, 0x09)) or 0x7F <= cp <= 0x9F or cp in BIDI


status = 0
for path in sys.argv[1:]:
    data = open(path, "rb").read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        print(f"{path}: byte 0x{data[e.start]:02x} at offset {e.start} is not UTF-8")
        status = 1
        continue
    for i, ch in enumerate(text):
        if bad(ord(ch)):
            line = text.count("\n", 0, i) + 1
            print(f"{path}: raw U+{ord(ch):04X} on line {line}: {text[max(0, i - 30):i + 10]!a}")
            status = 1
            break
sys.exit(status)
