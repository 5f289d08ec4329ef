/*
 * fuzz.h — what every fuzz target in tests/fuzz/ provides.
 *
 * A target is one file defining LLVMFuzzerTestOneInput (and, when it needs
 * set-up, LLVMFuzzerInitialize). build.sh links each with libFuzzer
 * (clang -fsanitize=fuzzer); `make check` links each with replay_main.c
 * instead, which feeds it every file of its corpus, so the inputs that
 * once crashed stay fixed without clang. A target reports a broken
 * invariant with FUZZ_CHECK, which aborts (a crash for both drivers).
 */
#ifndef XLNFS_FUZZ_H
#define XLNFS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_CHECK(cond)                                                                 \
	do {                                                                             \
		if (!(cond)) {                                                           \
			fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__,       \
				__LINE__, #cond);                                        \
			abort();                                                         \
		}                                                                        \
	} while (0)

#endif
