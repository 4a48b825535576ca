// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* What msg__line puts on stderr: one line, escaped by the terminal rule. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include "msg.h"

static void capture(void)
{
	cr_redirect_stderr();
}

Test(msg, plain_text_unchanged, .init = capture)
{
	msg__line("cannot open %s: %s", "/tmp/caf\xc3\xa9 \xe2\x86\x92.trace", "No such file");
	fflush(stderr);
	cr_assert_stderr_eq_str("ipctrace: cannot open /tmp/caf\xc3\xa9 \xe2\x86\x92.trace: No such file\n");
}

Test(msg, controls_c1_and_invalid_utf8_escaped, .init = capture)
{
	msg__line("no such process %s", "a\x1b[31mb\x07\n\x7f \xc2\x9b" "1m \x9b" "2J \xc0\xaf");
	fflush(stderr);
	cr_assert_stderr_eq_str("ipctrace: no such process a\\x1b[31mb\\x07\\x0a\\x7f \\xc2\\x9b1m \\x9b2J \\xc0\\xaf\n");
}

Test(msg, bidi_controls_escaped, .init = capture)
{
	/* a command name with U+202E would print its tail reversed */
	msg__line("cannot run %s", "evil\xe2\x80\xae" "txt.exe");
	fflush(stderr);
	cr_assert_stderr_eq_str("ipctrace: cannot run evil\\xe2\\x80\\xaetxt.exe\n");
}
