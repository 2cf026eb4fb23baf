#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Strict checker of the Prometheus text exposition format (version 0.0.4).

    promcheck.py [--dump FILE.json] [FILE|-]

Exit 0 when the exposition is well formed, 1 (with one line per problem on
stderr, "LINE: what") when it is not, 2 on a usage error. Stricter than
Prometheus itself where the collector's output should be: every line ends
with "\\n" (no "\\r", no empty line), UTF-8 only; every family that has
samples has exactly one HELP and one TYPE line, both before its first
sample; a family's samples form one group; metric and label names are
valid (label names not "__"-reserved, none repeated in a sample); label
values use only the escapes \\\\ \\" \\n; values are Go floats (NaN, +Inf,
-Inf allowed), counters are finite and >= 0 and named *_total; optional
timestamps are integers; no series (name and label set) appears twice.
With --dump, the samples are written as a JSON list of
{"name", "labels", "value"} for further checks. When the prometheus_client
package is importable its parser must read the text too.
"""
import json
import math
import re
import sys

NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
FLOAT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$")
SPECIAL = {"NaN": math.nan, "+Inf": math.inf, "-Inf": -math.inf, "Inf": math.inf}
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}
SUFFIXES = {"histogram": ("_bucket", "_sum", "_count"), "summary": ("_sum", "_count")}


class Checker:
    def __init__(self):
        self.errors = []
        self.help = {}         # family -> line number
        self.type = {}         # family -> type
        self.started = {}      # family -> line of its first sample
        self.closed = set()    # families whose group has ended
        self.current = None    # family of the previous sample line
        self.series = {}       # (name, labels) -> line
        self.samples = []

    def err(self, n, msg):
        self.errors.append(f"{n}: {msg}")

    def family_of(self, name):
        for fam, typ in self.type.items():
            for suf in SUFFIXES.get(typ, ()):
                if name == fam + suf:
                    return fam
        return name

    def end_group(self, n, fam):
        if self.current is not None and self.current != fam:
            self.closed.add(self.current)
        self.current = fam

    def meta(self, n, line):
        parts = line.split(None, 3)
        if len(parts) < 2 or parts[1] not in ("HELP", "TYPE"):
            return  # a plain comment
        if len(parts) < 3 or not NAME.fullmatch(parts[2]):
            self.err(n, f"# {parts[1]} without a valid metric name: {line!r}")
            return
        fam = parts[2]
        if fam in self.started:
            self.err(n, f"# {parts[1]} {fam} comes after the family's samples (line {self.started[fam]})")
        if parts[1] == "HELP":
            if fam in self.help:
                self.err(n, f"second # HELP for {fam} (first on line {self.help[fam]})")
            self.help[fam] = n
            text = parts[3] if len(parts) > 3 else ""
            for m in re.finditer(r"\\(.?)", text):
                if m.group(1) not in ("\\", "n"):
                    self.err(n, f"# HELP {fam}: bad escape '\\{m.group(1)}' in docstring")
        else:
            if fam in self.type:
                self.err(n, f"second # TYPE for {fam}")
            typ = parts[3].strip() if len(parts) > 3 else ""
            if typ not in TYPES:
                self.err(n, f"# TYPE {fam}: unknown type {typ!r}")
            self.type[fam] = typ
        self.end_group(n, None)

    def labels(self, n, text, pos):
        """Parse {a="b",...} at text[pos] == '{'; return (dict, next pos)."""
        out = {}
        pos += 1
        while True:
            if pos < len(text) and text[pos] == "}":
                return out, pos + 1
            m = LABEL.match(text, pos)
            if not m:
                raise ValueError(f"bad label name at column {pos + 1}")
            lname = m.group(0)
            if lname.startswith("__"):
                raise ValueError(f"label name {lname!r} is reserved (starts with __)")
            if lname in out:
                raise ValueError(f"label {lname!r} given twice")
            pos = m.end()
            if text[pos:pos + 2] != '="':
                raise ValueError(f'label {lname!r} is not followed by ="')
            pos += 2
            val = []
            while True:
                if pos >= len(text):
                    raise ValueError(f"label {lname!r}: unterminated value")
                c = text[pos]
                if c == "\\":
                    nxt = text[pos + 1:pos + 2]
                    if nxt not in ('\\', '"', 'n'):
                        raise ValueError(f"label {lname!r}: bad escape '\\{nxt}'")
                    val.append("\n" if nxt == "n" else nxt)
                    pos += 2
                elif c == '"':
                    pos += 1
                    break
                else:
                    val.append(c)
                    pos += 1
            out[lname] = "".join(val)
            if pos < len(text) and text[pos] == ",":
                pos += 1
            elif pos < len(text) and text[pos] == "}":
                continue
            else:
                raise ValueError(f"label {lname!r}: expected ',' or '}}' after the value")

    def sample(self, n, line):
        m = NAME.match(line)
        if not m:
            self.err(n, f"bad metric name: {line!r}")
            return
        name, pos = m.group(0), m.end()
        labels = {}
        if pos < len(line) and line[pos] == "{":
            try:
                labels, pos = self.labels(n, line, pos)
            except ValueError as e:
                self.err(n, f"{name}: {e}")
                return
        rest = line[pos:]
        if not rest.startswith(" "):
            self.err(n, f"{name}: no space before the value: {line!r}")
            return
        fields = rest.split()
        if len(fields) not in (1, 2) or rest != " " + " ".join(fields):
            self.err(n, f"{name}: expected 'VALUE [TIMESTAMP]' after the name, got {rest!r}")
            return
        v = fields[0]
        if v in SPECIAL:
            value = SPECIAL[v]
        elif FLOAT.match(v):
            value = float(v)
        else:
            self.err(n, f"{name}: value {v!r} is not a number")
            return
        if len(fields) == 2 and not re.fullmatch(r"-?[0-9]+", fields[1]):
            self.err(n, f"{name}: timestamp {fields[1]!r} is not an integer")
        fam = self.family_of(name)
        if fam in self.closed:
            self.err(n, f"{name}: sample of family {fam} outside its group (started on line {self.started.get(fam)})")
        self.end_group(n, fam)
        if fam not in self.started:
            self.started[fam] = n
            if fam not in self.type:
                self.err(n, f"{name}: first sample of {fam} has no # TYPE line before it")
            if fam not in self.help:
                self.err(n, f"{name}: first sample of {fam} has no # HELP line before it")
        typ = self.type.get(fam)
        if typ == "counter":
            if not fam.endswith("_total"):
                self.err(n, f"{name}: counter name does not end in _total")
            if math.isnan(value) or math.isinf(value) or value < 0:
                self.err(n, f"{name}: counter value {v} is not a finite number >= 0")
        key = (name, tuple(sorted(labels.items())))
        if key in self.series:
            self.err(n, f"{name}{labels}: duplicate series (first on line {self.series[key]})")
        self.series[key] = n
        self.samples.append({"name": name, "labels": labels, "value": value})

    def check(self, data):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            self.err(0, f"not UTF-8: {e}")
            return
        if not text:
            self.err(0, "empty exposition")
            return
        if not text.endswith("\n"):
            self.err(0, "the last line does not end with a newline")
        for n, line in enumerate(text.split("\n")[:-1] if text.endswith("\n") else text.split("\n"), 1):
            if "\r" in line:
                self.err(n, "carriage return in line")
                line = line.replace("\r", "")
            if line == "":
                self.err(n, "empty line")
            elif line.startswith("#"):
                self.meta(n, line)
            elif line[0] in " \t":
                self.err(n, "line starts with white space")
            else:
                self.sample(n, line)
        if not self.samples:
            self.err(0, "no samples at all")


def main(argv):
    dump = None
    args = argv[1:]
    if args[:1] == ["--dump"]:
        if len(args) < 2:
            print(__doc__, file=sys.stderr)
            return 2
        dump, args = args[1], args[2:]
    if len(args) > 1:
        print(__doc__, file=sys.stderr)
        return 2
    if not args or args[0] == "-":
        data = sys.stdin.buffer.read()
    else:
        with open(args[0], "rb") as f:
            data = f.read()
    c = Checker()
    c.check(data)
    try:
        from prometheus_client.parser import text_string_to_metric_families
    except ImportError:
        pass
    else:
        try:
            list(text_string_to_metric_families(data.decode("utf-8", "replace")))
        except Exception as e:  # noqa: BLE001 - any parser complaint counts
            c.err(0, f"prometheus_client's parser refuses it: {e}")
    for e in c.errors:
        print(e, file=sys.stderr)
    if dump is not None:
        with open(dump, "w") as f:
            json.dump(c.samples, f)
    if c.errors:
        return 1
    print(f"ok: {len(c.started)} families, {len(c.samples)} samples")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
