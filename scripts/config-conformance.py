#!/usr/bin/env python3
"""Reference side of skein's config conformance test (Tests/RewriteTests/ConfigConformanceTests).

`cases ROOT` lists the suites' files under ROOT (yaml-test-suite, toml-test, JSONTestSuite) as
JSON: whether each is valid, and for a valid one the first key path that leads through string
keys to a single value (what a rule can address), as read by a reference reader: Python's
`json` and `tomllib`, and ruamel.yaml (YAML 1.2).

`verify RESULTS` reads what skein did to each case (edited text, or attention lines) and checks
it: an edited file reads, by the reference reader, as the input with exactly that entry changed,
and every line away from the entry is kept; a valid file left unchanged has an attention line;
an invalid file is never edited. Prints the counts; exits 1 on any violation.
"""
import copy
import difflib
import io
import json
import math
import os
import re
import sys
import tomllib
import warnings

from ruamel.yaml import YAML

NEW_VALUE = "skein-set"
warnings.filterwarnings("ignore")
NEW_KEY = "skein_renamed"


def yaml_documents(text):
    yaml = YAML(typ="safe", pure=True)
    return list(yaml.load_all(io.StringIO(text)))


def json_document(text):
    def no_duplicates(pairs):
        keys = [key for key, _ in pairs]
        if len(keys) != len(set(keys)):
            raise ValueError("duplicate key")
        return dict(pairs)
    def no_constant(name):
        raise ValueError("not JSON: " + name)
    return json.loads(text, object_pairs_hook=no_duplicates, parse_constant=no_constant)


def documents(fmt, text):
    if fmt == "yaml":
        return yaml_documents(text)
    if fmt == "toml":
        return [tomllib.loads(text)]
    return [json_document(text[1:] if text.startswith("\ufeff") else text)]


def first_path(node, prefix=()):
    """The first key path through string keys that ends at a single value."""
    if type(node) is not dict:  # not a tagged kind such as !!omap, which is a sequence in the text
        return None
    for key, value in node.items():
        if not isinstance(key, str):
            continue
        if type(value) is dict:
            found = first_path(value, prefix + (key,))
            if found:
                return found
        elif not isinstance(value, list):
            return list(prefix + (key,))
    return None


def validity(fmt, relative):
    name = os.path.basename(relative)
    if fmt == "json":
        return {"y": True, "n": False}.get(name[0])  # i_: implementation-defined
    return "/invalid/" not in "/" + relative


WRAP = (b'{"skein": ', b"}")


def case_of(relative, fmt, raw, valid, wrapped=False):
    case = {"file": relative, "format": fmt, "valid": valid, "keys": None, "wrapped": wrapped}
    try:
        # RFC 8259 lets a reader ignore a byte order mark; skein does.
        text = raw.decode("utf-8-sig" if fmt == "json" else "utf-8")
        docs = documents(fmt, text)
        readable = True
    except Exception:
        readable = False
    if case["valid"] is None:
        case["valid"] = readable
    if case["valid"] and readable and docs:
        # A path to a single value; else to a first key whose value is a collection (a rule may
        # rename or delete it; setting it is refused with a reason).
        case["keys"] = first_path(docs[0]) or next(([key] for key in (docs[0] if type(docs[0]) is dict else {}) if isinstance(key, str)), None)
        try:
            json.dumps(case["keys"], ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            case["keys"] = None  # a lone surrogate in a key: no rule path can name it
    case["readable"] = readable
    if not case["valid"]:
        if readable:
            return None  # a wrapped invalid value that reads once wrapped: no verdict
        # A key to aim at in a file no reference reader takes: the first thing shaped like one.
        match = re.search(r'^\s*"?([A-Za-z_][A-Za-z0-9_-]*)"?\s*[:=]', raw.decode("utf-8", "replace"), re.M)
        case["guess"] = match.group(1) if match else None
    return case


def cases(root):
    result = []
    for directory, _, files in sorted(os.walk(root)):
        for name in sorted(files):
            fmt = {".yaml": "yaml", ".json": "json", ".toml": "toml"}.get(os.path.splitext(name)[1])
            if not fmt:
                continue
            path = os.path.join(directory, name)
            relative = os.path.relpath(path, root)
            raw = open(path, "rb").read()
            valid = validity(fmt, relative)
            result.append(case_of(relative, fmt, raw, valid))
            if fmt == "json":
                # Most of JSONTestSuite's files are a bare value: inside an object, the rules reach it.
                wrapped = case_of(relative, fmt, WRAP[0] + raw + WRAP[1], valid, wrapped=True)
                if wrapped:
                    result.append(wrapped)
    json.dump([case for case in result if case], sys.stdout)


def transformed(doc, op, keys):
    """The document as the rule must leave it, or None when the rule does not reach it."""
    node = doc
    for key in keys[:-1]:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    last = keys[-1]
    if not isinstance(node, dict) or (last not in node and op != "set"):
        return None
    doc = copy.deepcopy(doc)
    node = doc
    for key in keys[:-1]:
        node = node[key]
    if op == "set":
        # A missing key is added to the mapping that should hold it.
        if isinstance(node.get(last), (dict, list)):
            return None
        node[last] = NEW_VALUE
    elif op == "rename":
        if NEW_KEY in node:
            return None
        items = [(NEW_KEY if key == last else key, value) for key, value in node.items()]
        node.clear()
        node.update(items)
    else:
        del node[last]
    return doc


def same(a, b):
    """Equality that also holds for NaN and keeps key order and types apart (1 vs True)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, dict):
        return list(a.keys()) == list(b.keys()) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


def changed_lines(before, after):
    matcher = difflib.SequenceMatcher(None, before.splitlines(True), after.splitlines(True), autojunk=False)
    return sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal")


def verify(results_path):
    results = json.load(open(results_path))
    counts = {"edited": 0, "refused": 0, "invalid-refused": 0, "invalid-edited": 0, "no-key": 0, "reference-cannot-read": 0}
    violations = []
    reasons = {}
    for case in results:
        name = f'{case["file"]}{" (wrapped)" if case.get("wrapped") else ""} {case.get("op", "")}'.strip()
        text = case["input"]
        output = case.get("output")
        if not case["valid"]:
            if output is None:
                counts["invalid-refused"] += 1
            else:
                counts["invalid-edited"] += 1
                violations.append(f"{name}: an invalid file was edited")
            continue
        if not case["readable"]:
            counts["reference-cannot-read"] += 1
            continue
        if case.get("op") is None:
            counts["no-key"] += 1
            continue
        if output is None:
            if case["attention"]:
                counts["refused"] += 1
                reason = re.sub(r"^[^:]*:\d+: ", "", case["attention"][0])
                reason = case["format"] + ": " + re.sub(r"line \d+|'[^']*'|\d+:\d+", "_", reason)[:110]
                reasons[reason] = reasons.get(reason, 0) + 1
            else:
                violations.append(f"{name}: left unchanged with no attention line")
            continue
        counts["edited"] += 1
        fmt, op, keys = case["format"], case["op"], case["keys"]
        try:
            before, after = documents(fmt, text), documents(fmt, output)
        except Exception as error:
            violations.append(f"{name}: the edited file does not read: {error}")
            continue
        if len(before) != len(after):
            violations.append(f"{name}: {len(before)} documents became {len(after)}")
            continue
        reached = False
        for index, (old, new) in enumerate(zip(before, after)):
            want = transformed(old, op, keys)
            if want is not None and same(new, want):
                reached = True
            elif not same(new, old):
                violations.append(f"{name}: document {index} reads as {new!r}, expected {want!r}")
            elif want is not None and not case["attention"]:
                violations.append(f"{name}: document {index} left unchanged with no attention line")
        if not reached:
            violations.append(f"{name}: edited, but no document reads as the rule asks")
        if op == "delete":
            # Only removed text, but for `{}` in place of a mapping's only entry.
            kept = output.replace("{}", "", output.count("{}") - text.count("{}"))
            remaining = iter(text)
            if not all(character in remaining for character in kept):
                violations.append(f"{name}: a deletion wrote new text")
        else:
            # One line per place the key or value is written; every other line kept.
            allowed = max(1, text.count(keys[-1])) if op == "rename" else len(before)
            if changed_lines(text, output) > allowed:
                violations.append(f"{name}: {changed_lines(text, output)} lines changed")
    summary = " ".join(f"{key}={value}" for key, value in counts.items())
    print(f"config conformance: {summary} violations={len(violations)}")
    print("refusals of valid files, by reason:")
    for reason, count in sorted(reasons.items(), key=lambda item: -item[1]):
        print(f"  {count:4} {reason}")
    for violation in violations:
        print("  " + violation)
    sys.exit(1 if violations else 0)


if __name__ == "__main__":
    {"cases": cases, "verify": verify}[sys.argv[1]](sys.argv[2])
