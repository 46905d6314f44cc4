#!/usr/bin/env python3
"""Writes this scenario's C project (context/) and its one-file change (change/).

The project is a small signal-filter library where compiling dominates: 16 translation units,
each about a second of `gcc -O2` on the benchmark machine, and a main program that runs them.
The change edits one stage's seed in one file. Each
file is short: the stages are macros from `include/filters.h`. Run it again after changing the sizes below; the
generated files are checked in so the benchmark needs nothing but this directory.
"""

from pathlib import Path

FILES = 16
STAGES = 120
TAPS = 48
CHANGED = 7

HERE = Path(__file__).resolve().parent


def filter_file(file_index: int, bump: int = 0) -> str:
    stages = "".join(
        f"FILTER_STAGE(stage_{index}, {(file_index * 7 + index * 3 + bump) % 11})\n"
        for index in range(STAGES)
    )
    calls = "".join(
        f"    total += stage_{index}(x, n, {index + 1}.0 / {file_index + 2}.0);\n"
        for index in range(STAGES)
    )
    return (
        '#include "filters.h"\n\n'
        f"{stages}\n"
        f"double filter_{file_index:02d}(const double *x, int n)\n"
        "{\n"
        "    double total = 0.0;\n"
        f"{calls}"
        "    return total;\n"
        "}\n"
    )


def header() -> str:
    eights = " + ".join(f"FILTER_TAPS8({base}, seed)" for base in range(0, TAPS, 8))
    lines = [
        "#ifndef FILTERS_H",
        "#define FILTERS_H",
        "",
        "/* One tap of a stage: a constant coefficient from the stage's seed, times the gain. */",
        "#define FILTER_TAP(t, seed) ((double)(((seed) + (t)) % 11 + 1) * gain * x[i + (t)])",
        "#define FILTER_TAPS8(b, seed) \\",
        "    (" + " + ".join(f"FILTER_TAP((b) + {t}, seed)" for t in range(8)) + ")",
        f"#define FILTER_TAPS(seed) ({eights})",
        "",
        f"/* A stage: a {TAPS}-tap filter over x, damped when it grows large. */",
        "#define FILTER_STAGE(name, seed) \\",
        "    static double name(const double *x, int n, double gain) \\",
        "    { \\",
        "        double acc = 0.0; \\",
        f"        for (int i = 0; i + {TAPS} < n; i++) {{ \\",
        "            acc += FILTER_TAPS(seed); \\",
        "            if (acc > 1e9) { \\",
        "                acc *= 0.5; \\",
        "            } \\",
        "        } \\",
        "        return acc; \\",
        "    }",
        "",
    ]
    lines += [f"double filter_{index:02d}(const double *x, int n);" for index in range(FILES)]
    lines += ["", "#endif", ""]
    return "\n".join(lines)


def main_file() -> str:
    calls = "".join(f"    total += filter_{index:02d}(signal, N);\n" for index in range(FILES))
    return (
        "#include <stdio.h>\n\n"
        '#include "filters.h"\n\n'
        "#define N 4096\n\n"
        "int main(void)\n"
        "{\n"
        "    static double signal[N];\n"
        "    for (int i = 0; i < N; i++) {\n"
        "        signal[i] = (double)((i * 37) % 101) / 101.0;\n"
        "    }\n"
        "    double total = 0.0;\n"
        f"{calls}"
        '    printf("%.6e\\n", total);\n'
        "    return 0;\n"
        "}\n"
    )


def cmake_lists() -> str:
    sources = "".join(f"    src/filter_{index:02d}.c\n" for index in range(FILES))
    return (
        "cmake_minimum_required(VERSION 3.16)\n"
        "project(filters C)\n\n"
        "set(CMAKE_C_STANDARD 11)\n"
        "set(CMAKE_C_STANDARD_REQUIRED ON)\n\n"
        f"add_library(filters STATIC\n{sources})\n"
        "target_include_directories(filters PUBLIC include)\n\n"
        "add_executable(filterbench src/main.c)\n"
        "target_link_libraries(filterbench PRIVATE filters)\n\n"
        "install(TARGETS filterbench RUNTIME DESTINATION bin)\n"
    )


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def generate() -> None:
    context = HERE / "context"
    write(context / "CMakeLists.txt", cmake_lists())
    write(context / "include" / "filters.h", header())
    write(context / "src" / "main.c", main_file())
    for index in range(FILES):
        write(context / "src" / f"filter_{index:02d}.c", filter_file(index))
    changed = f"filter_{CHANGED:02d}.c"
    write(HERE / "change" / "context" / "src" / changed, filter_file(CHANGED, bump=1))


if __name__ == "__main__":
    generate()
