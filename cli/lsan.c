// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The sanitizer build's leak suppressions, built into the binary: the e2e
 * tests run it from any directory and as other users, where a suppressions
 * file under the checkout (tests/lsan.supp, used by the unit tests) may not
 * be readable. Graphviz 2.42 keeps a little of each dot layout after
 * gvFreeLayout and in its context's state.
 */
#if defined(__SANITIZE_ADDRESS__)
const char *__lsan_default_suppressions(void);
const char *__lsan_default_options(void);

const char *__lsan_default_suppressions(void)
{
	return "leak:libgvc.so\nleak:libcgraph.so\n";
}

/* A matched suppression is no news: stderr stays the tool's own (one-line errors). */
const char *__lsan_default_options(void)
{
	return "print_suppressions=0";
}
#else
/* ISO C wants a translation unit to declare something. */
typedef int lsan_suppressions_unused;
#endif
