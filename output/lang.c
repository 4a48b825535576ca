// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Looking words up in the language tables (lang.h). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "lang.h"

static const struct lang *const langs[] = { &lang_en, &lang_ko };

_Static_assert(T_UNIT_NONE - T_MEDIUM_NONE == MEDIUM_COUNT, "medium words follow enum ipc_medium");
_Static_assert(T_SCOPE_SAME_SYSTEM - T_UNIT_NONE == UNIT_COUNT, "unit words follow enum ipc_unit");
_Static_assert(T_DIR_NONE - T_SCOPE_SAME_SYSTEM == SCOPE_COUNT, "scope words follow enum ipc_scope");
_Static_assert(T_MODE_NONE - T_MODE_SYNC_BLOCKING == MODE_COUNT, "mode words follow enum model_mode");

const struct lang *lang_find(const char *code)
{
	for (size_t i = 0; i < sizeof(langs) / sizeof(langs[0]); i++)
		if (code && strcmp(code, langs[i]->code) == 0)
			return langs[i];
	return NULL;
}

const char *lang_codes(void)
{
	static char codes[64];

	if (!codes[0])
		for (size_t i = 0; i < sizeof(langs) / sizeof(langs[0]); i++)
			snprintf(codes + strlen(codes), sizeof(codes) - strlen(codes), "%s%s", i ? ", " : "",
				 langs[i]->code);
	return codes;
}

const char *tr(const struct lang *l, enum text_id id)
{
	const char *s = NULL;

	if ((unsigned)id >= T_COUNT)
		return "?";
	if (l)
		s = l->text[id];
	return s ? s : lang_en.text[id];
}

const char *tr_font(const struct lang *l)
{
	return l && l->font_family ? l->font_family : lang_en.font_family;
}

const char *trn(const struct lang *l, enum text_id one, uint64_t n)
{
	return tr(l, n == 1 ? one : one + 1);
}

const char *tr_state(const struct lang *l, enum span_state s)
{
	switch (s) {
	case SPAN_USER: return tr(l, T_STATE_USER);
	case SPAN_SYSCALL: return tr(l, T_STATE_SYSCALL);
	case SPAN_BLOCKED: return tr(l, T_STATE_BLOCKED);
	case SPAN_RUNNABLE: return tr(l, T_STATE_RUNNABLE);
	case SPAN_POLLING: return tr(l, T_STATE_POLLING);
	default: return "?";
	}
}

const char *tr_medium(const struct lang *l, enum ipc_medium md)
{
	return tr(l, (unsigned)md < MEDIUM_COUNT ? T_MEDIUM_NONE + md : T_MEDIUM_NONE);
}

const char *tr_unit(const struct lang *l, enum ipc_unit u)
{
	return tr(l, (unsigned)u < UNIT_COUNT ? T_UNIT_NONE + u : T_UNIT_NONE);
}

const char *tr_scope(const struct lang *l, enum ipc_scope sc)
{
	return tr(l, (unsigned)sc < SCOPE_COUNT ? T_SCOPE_SAME_SYSTEM + sc : T_SCOPE_SAME_SYSTEM);
}

const char *tr_direction(const struct lang *l, const struct model_channel *c)
{
	switch (c->direction) {
	case DIR_SIMPLEX: return tr(l, T_DIR_SIMPLEX);
	case DIR_HALF_DUPLEX: return tr(l, T_DIR_HALF_DUPLEX);
	case DIR_FULL_DUPLEX: return tr(l, T_DIR_FULL_DUPLEX);
	default: break;
	}
	return kind_data_in_memory(c->kind) ? tr(l, T_DIR_UNSEEN_MEMORY) : tr(l, T_DIR_NONE);
}

const char *tr_mode(const struct lang *l, enum model_mode mo)
{
	return tr(l, (unsigned)mo < MODE_COUNT ? T_MODE_SYNC_BLOCKING + mo : T_MODE_NONE);
}
