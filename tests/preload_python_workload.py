"""Allocation-heavy, deterministic Python work for preload_real_programs.sh.

Run with PYTHONMALLOC=malloc so every object goes through malloc/free (the
allocator under test) instead of pymalloc's arenas. Prints a digest of
everything it built, so two runs under different allocators must print the
same lines.
"""
import hashlib
import json
import sys


def build_records(count):
    """Dicts of mixed strings, lists and numbers, like parsed documents."""
    records = {}
    for i in range(count):
        key = "rec-%06d" % i
        records[key] = {
            "id": i,
            "name": ("n%x" % (i * 2654435761 % 1000003)) * (1 + i % 7),
            "tags": ["t%d" % (i % k) for k in range(1, 1 + i % 11)],
            "score": (i * 37 % 1009) / 7.0,
            "blob": "x" * (i % 300),
        }
    return records


def churn(records, rounds):
    """Grow and shrink containers so blocks of many sizes are freed and reused."""
    for r in range(rounds):
        doomed = [k for k in records if hash(k) % 5 == r % 5]
        for k in doomed[: len(doomed) // 2]:
            del records[k]
        for i in range(len(doomed) // 2):
            records["new-%d-%d" % (r, i)] = {"id": -i, "name": "m" * (i % 97), "tags": [], "score": 0.0,
                                             "blob": ""}


def json_round_trips(records, times):
    text = ""
    for _ in range(times):
        text = json.dumps(records, sort_keys=True)
        records = json.loads(text)
    return text


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 30000
    records = build_records(count)
    churn(records, 6)
    text = json_round_trips(records, 2)
    words = sorted(set(text.replace('"', " ").split()))
    print("records", len(records))
    print("json_bytes", len(text))
    print("distinct_words", len(words))
    print("sha256", hashlib.sha256(text.encode()).hexdigest())


if __name__ == "__main__":
    main()
