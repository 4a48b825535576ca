// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Korean: the course note's own terms (seed sections 2-4) where it has one,
 * else what Korean OS textbooks use (README lists the choices).
 */
#include "lang.h"

static const char *const text[T_COUNT] = {
	[T_MEDIUM_NONE] = "-",
	[T_MEDIUM_FILE] = "파일",
	[T_MEDIUM_MEMORY] = "메모리",
	[T_MEDIUM_FILE_MEMORY] = "파일+메모리",
	[T_MEDIUM_SOCKET] = "소켓",
	[T_MEDIUM_KERNEL] = "커널",
	[T_UNIT_NONE] = "-",
	[T_UNIT_STREAM] = "스트림",
	[T_UNIT_MESSAGE] = "메시지",
	[T_UNIT_DATAGRAM] = "데이터그램",
	[T_UNIT_STRUCT] = "구조체",
	[T_UNIT_PAGE] = "페이지",
	[T_UNIT_BYTES] = "바이트",
	[T_UNIT_WORD] = "워드",
	[T_UNIT_SIGNAL] = "시그널",
	[T_SCOPE_SAME_SYSTEM] = "동일 시스템",
	[T_SCOPE_REMOTE] = "외부 시스템",
	[T_DIR_NONE] = "없음",
	[T_DIR_SIMPLEX] = "단방향",
	[T_DIR_HALF_DUPLEX] = "반양방향",
	[T_DIR_FULL_DUPLEX] = "양방향",
	[T_DIR_UNSEEN_MEMORY] = "보이지 않음 (메모리)",
	[T_MODE_SYNC_BLOCKING] = "Sync-Blocking",
	[T_MODE_SYNC_NONBLOCKING] = "Sync-Nonblocking",
	[T_MODE_ASYNC_BLOCKING] = "Async-Blocking",
	[T_MODE_ASYNC_NONBLOCKING] = "Async-Nonblocking",
	[T_MODE_NONE] = "-",
};

/* Hangul faces browsers have on Linux, macOS and Windows, then any sans-serif. */
const struct lang lang_ko = {
	.code = "ko",
	.name = "한국어",
	.font_family = "'Noto Sans CJK KR', 'Noto Sans KR', 'Source Han Sans KR', 'Apple SD Gothic Neo', "
		       "'Malgun Gothic', 'NanumGothic', sans-serif",
	.text = text,
};
