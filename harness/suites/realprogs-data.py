"""Writes the realprogs suite's input into the folder given: text.txt, 16 MiB
of word lines from a fixed seed, so every run compresses and sorts the
same bytes."""
import os
import random
import sys


def main(folder):
    rng = random.Random(20240611)
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = ["".join(rng.choice(letters) for _ in range(rng.randint(2, 9))) for _ in range(5000)]
    path = os.path.join(folder, "text.txt")
    size = 0
    with open(path, "w") as out:
        while size < 16 << 20:
            line = " ".join(rng.choice(words) for _ in range(rng.randint(3, 15))) + "\n"
            out.write(line)
            size += len(line)


main(sys.argv[1])
