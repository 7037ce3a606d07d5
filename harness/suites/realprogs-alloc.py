"""An allocation-heavy Python program for the realprogs suite (run it with
PYTHONMALLOC=malloc so that each object is a malloc'd block): builds a dict
of lists and small dicts, dumps it to JSON, parses it back, splits and
sorts the text. Deterministic: its own LCG, no hash-order dependence in
what it prints."""
import json
import sys


def one_round(state):
    table = {}
    for i in range(60000):
        state = (state * 1103515245 + 12345) & 0x7FFFFFFF
        table["k%d" % state] = [i, str(i) * (i % 7), {"x": i, "y": [i] * (i % 5)}]
    text = json.dumps(table)
    back = json.loads(text)
    pieces = text.split(",")
    pieces.sort()
    return state, len(back) + len(pieces)


def main(rounds):
    state, total = 12345, 0
    for _ in range(rounds):
        state, count = one_round(state)
        total += count
    print(total)


main(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
