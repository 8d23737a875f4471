#!/usr/bin/env python3
"""Writes a git fast-import stream of a synthetic history to stdout.

usage: gen-history.py COMMITS [SEED]

Each commit edits one to five files of a growing source tree the way people do: a few lines
changed or inserted in place, now and then a new module or a deleted one, one merge in fifty.
Line contents are code-like (assignments, calls, comments, config); about one commit in two
hundred adds a credential-shaped value, so the scan has something to report. Deterministic
for a seed.
"""
import random
import sys

WORDS = ("user order invoice cache client request session config token route "
         "payload record handler query batch worker retry timeout limit").split()


def line(rng):
    a, b = rng.choice(WORDS), rng.choice(WORDS)
    kind = rng.random()
    if kind < 0.35:
        return f"    {a}_{b} = {rng.choice(WORDS)}.get_{b}({rng.randint(0, 999)})\n"
    if kind < 0.55:
        return f"    # {a} {b}: keep the {rng.choice(WORDS)} in step with the {rng.choice(WORDS)}\n"
    if kind < 0.75:
        return f"    if {a}.{b} > {rng.randint(1, 500)}:\n"
    if kind < 0.9:
        return f"        return {a}_{b}({rng.choice(WORDS)}, retries={rng.randint(1, 5)})\n"
    return f'    {a.upper()}_{b.upper()} = "{a}-{b}-{rng.randint(1000, 9999)}"\n'


def credential(rng):
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    body = "".join(rng.choice(alphabet) for _ in range(36))
    return f'    GITHUB_TOKEN = "ghp_{body}"  # bench: fake\n'


def main():
    commits = int(sys.argv[1])
    rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
    files = {}
    out = sys.stdout.buffer
    when = 1_600_000_000
    side = None  # (mark, files) of a short-lived branch, merged back later
    for n in range(1, commits + 1):
        when += rng.randint(60, 86_400)
        edits = {}
        if not files or rng.random() < 0.08:
            path = f"src/{rng.choice(WORDS)}/{rng.choice(WORDS)}_{n}.py"
            edits[path] = [f"def {rng.choice(WORDS)}_{n}():\n"] + [line(rng) for _ in range(rng.randint(20, 200))]
        for _ in range(rng.randint(1, 5)):
            if not files:
                break
            path = rng.choice(sorted(files))
            text = list(edits.get(path, files[path]))
            at = rng.randint(1, len(text))
            for _ in range(rng.randint(1, 8)):
                if rng.random() < 0.4 and len(text) > 2:
                    text[min(at, len(text) - 1)] = line(rng)
                else:
                    text.insert(at, line(rng))
            if rng.random() < 0.005:
                text.insert(at, credential(rng))
            edits[path] = text
        deleted = []
        if len(files) > 40 and rng.random() < 0.02:
            deleted.append(rng.choice(sorted(set(files) - set(edits))))
        msg = f"change {n}\n".encode()
        parent = f"from :{n - 1}\n" if n > 1 else ""
        merge = ""
        if side and n - side[0] > 5:
            merge = f"merge :{side[0]}\n"
            side = None
        elif side is None and rng.random() < 0.02 and n > 2:
            side = (n - 1, None)
        out.write(f"commit refs/heads/main\nmark :{n}\ncommitter Bench <bench@example.com> {when} +0000\n".encode())
        out.write(f"data {len(msg)}\n".encode() + msg + (parent + merge).encode())
        for path, text in edits.items():
            data = "".join(text).encode()
            out.write(f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n")
            files[path] = text
        for path in deleted:
            out.write(f"D {path}\n".encode())
            files.pop(path)
        out.write(b"\n")


if __name__ == "__main__":
    main()
