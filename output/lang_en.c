// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* English: every word a person reads (lang.h). The IPC table's values are the identifier words. */
#include "lang.h"

static const char *const text[T_COUNT] = {
	[T_MEDIUM_NONE] = "-",
	[T_MEDIUM_FILE] = "file",
	[T_MEDIUM_MEMORY] = "memory",
	[T_MEDIUM_FILE_MEMORY] = "file+memory",
	[T_MEDIUM_SOCKET] = "socket",
	[T_MEDIUM_KERNEL] = "kernel",
	[T_UNIT_NONE] = "-",
	[T_UNIT_STREAM] = "stream",
	[T_UNIT_MESSAGE] = "message",
	[T_UNIT_DATAGRAM] = "datagram",
	[T_UNIT_STRUCT] = "struct",
	[T_UNIT_PAGE] = "page",
	[T_UNIT_BYTES] = "bytes",
	[T_UNIT_WORD] = "word",
	[T_UNIT_SIGNAL] = "signal",
	[T_SCOPE_SAME_SYSTEM] = "same system",
	[T_SCOPE_REMOTE] = "remote",
	[T_DIR_NONE] = "none",
	[T_DIR_SIMPLEX] = "simplex",
	[T_DIR_HALF_DUPLEX] = "half-duplex",
	[T_DIR_FULL_DUPLEX] = "full-duplex",
	[T_DIR_UNSEEN_MEMORY] = "unseen (memory)",
	[T_MODE_SYNC_BLOCKING] = "sync-blocking",
	[T_MODE_SYNC_NONBLOCKING] = "sync-nonblocking",
	[T_MODE_ASYNC_BLOCKING] = "async-blocking",
	[T_MODE_ASYNC_NONBLOCKING] = "async-nonblocking",
	[T_MODE_NONE] = "-",
};

const struct lang lang_en = {
	.code = "en",
	.name = "English",
	.font_family = "sans-serif",
	.text = text,
};
