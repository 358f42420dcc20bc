#!/usr/bin/env python3
"""no-controls.py FILE...: exit 1 (and say where) when a file holds what must
never reach a terminal or a page from a session string: bytes that are not
UTF-8, a C0 control other than newline and tab (ESC above all), DEL, a C1
control (U+0080-U+009F), a bidirectional control (U+202A-U+202E,
U+2066-U+2069, U+200E, U+200F, U+061C), or a character that draws nothing
(U+2060-U+206F, U+00AD, U+200B-U+200D, U+FEFF, tags U+E0000-U+E007F …, as
appliance/common/escape.c lists them)."""
import sys

BIDI = set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A)) | {0x200E, 0x200F, 0x061C}
# what draws nothing (the same ranges as escape.c)
INVISIBLE = [(0x00AD, 0x00AD), (0x034F, 0x034F), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F),
             (0x200B, 0x200F), (0x2028, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164), (0xFE00, 0xFE0F),
             (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF9, 0xFFFB), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
             (0xE0000, 0xE007F), (0xE0100, 0xE01EF)]


def bad(cp):
    return ((cp < 0x20 and cp not in (0x0A, 0x09)) or 0x7F <= cp <= 0x9F or cp in BIDI
            or any(a <= cp <= b for a, b in INVISIBLE))


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
