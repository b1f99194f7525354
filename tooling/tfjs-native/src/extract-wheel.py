"""Copies libtensorflow out of TensorFlow's Python wheel, in the layout tfjs-node builds against.

usage: extract-wheel.py WHEEL BINDING_SRC_DIR OUT_DIR

Writes OUT_DIR/lib/{libtensorflow_cc.so.2, libtensorflow_framework.so.2} and, under OUT_DIR/include,
only the headers the binding's sources include (followed transitively), not the wheel's 40k others.
"""
import os
import re
import shutil
import sys
import zipfile

LIBS = ("libtensorflow_cc.so.2", "libtensorflow_framework.so.2")
INCLUDE = re.compile(rb'^\s*#\s*include\s*"([^"]+)"', re.M)


def main(wheel, binding_src, out):
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        for lib in LIBS:
            member = "tensorflow/" + lib
            if member not in names:
                sys.exit(f"{os.path.basename(wheel)} has no {member}")
            copy(z, member, os.path.join(out, "lib", lib))
        todo = []
        for f in sorted(os.listdir(binding_src)):
            with open(os.path.join(binding_src, f), "rb") as src:
                todo += INCLUDE.findall(src.read())
        seen = set()
        while todo:
            header = todo.pop().decode()
            member = "tensorflow/include/" + header
            if header in seen or member not in names:
                continue
            seen.add(header)
            todo += INCLUDE.findall(z.read(member))
            copy(z, member, os.path.join(out, "include", header))
        if "tensorflow/c/c_api.h" not in seen:
            sys.exit(f"{os.path.basename(wheel)} has no tensorflow/include/tensorflow/c/c_api.h")


def copy(z, member, dest):
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    with z.open(member) as src, open(dest, "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
