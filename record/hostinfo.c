// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* This machine's identity for merging traces: boot id, network namespaces, interface addresses. */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include "hostinfo.h"

static void add_addr(struct trace_meta *m, uint16_t family, const uint8_t *addr, size_t len)
{
	struct trace_addr a = { .family = family };

	memcpy(a.addr, addr, len);
	for (uint32_t i = 0; i < m->naddrs; i++)
		if (!memcmp(&m->addrs[i], &a, sizeof(a)))
			return;
	if (m->naddrs < TRACE_ADDRS_MAX)
		m->addrs[m->naddrs++] = a;
}

void hostinfo__parse_fib_trie(FILE *f, struct trace_meta *meta)
{
	char line[256], leaf[64] = "";

	while (fgets(line, sizeof(line), f)) {
		const char *s = line + strspn(line, " \t|+-");
		uint8_t a[4];

		/* "|-- 10.0.0.1" names a leaf; its "/32 host LOCAL" line says it is ours */
		if (strstr(line, "|-- ")) {
			snprintf(leaf, sizeof(leaf), "%.*s", (int)strcspn(s, " \n"), s);
		} else if (strstr(line, "/32 host LOCAL") && leaf[0] &&
			   inet_pton(AF_INET, leaf, a) == 1) {
			add_addr(meta, AF_INET, a, 4);
		}
	}
}

void hostinfo__parse_if_inet6(FILE *f, struct trace_meta *meta)
{
	char hex[33];

	while (fscanf(f, "%32s%*[^\n]", hex) == 1) {
		uint8_t a[16];
		bool ok = strlen(hex) == 32;

		for (int i = 0; ok && i < 16; i++) {
			unsigned v;

			ok = sscanf(hex + 2 * i, "%2x", &v) == 1;
			a[i] = v;
		}
		if (ok)
			add_addr(meta, AF_INET6, a, 16);
	}
}

static void read_boot_id(struct trace_meta *m)
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");

	if (!f)
		return;
	if (fgets(m->boot_id, sizeof(m->boot_id), f))
		m->boot_id[strcspn(m->boot_id, "\n")] = '\0';
	fclose(f);
}

static void parse_file(const char *path, void (*parse)(FILE *, struct trace_meta *),
		       struct trace_meta *m)
{
	FILE *f = fopen(path, "re");

	if (f) {
		parse(f, m);
		fclose(f);
	}
}

/* The namespace of pid ("self" when 0): its inode, then its addresses once per namespace. */
static void add_netns(struct trace_meta *m, pid_t pid)
{
	char dir[64], path[96];
	struct stat st;

	if (pid)
		snprintf(dir, sizeof(dir), "/proc/%d", (int)pid);
	else
		snprintf(dir, sizeof(dir), "/proc/self");
	snprintf(path, sizeof(path), "%s/ns/net", dir);
	if (stat(path, &st))
		return;
	for (uint32_t i = 0; i < m->nnetns; i++)
		if (m->netns[i] == st.st_ino)
			return;
	if (m->nnetns == TRACE_NETNS_MAX)
		return;
	m->netns[m->nnetns++] = st.st_ino;
	snprintf(path, sizeof(path), "%s/net/fib_trie", dir);
	parse_file(path, hostinfo__parse_fib_trie, m);
	snprintf(path, sizeof(path), "%s/net/if_inet6", dir);
	parse_file(path, hostinfo__parse_if_inet6, m);
}

void hostinfo__fill(struct trace_meta *meta, const pid_t *pids, size_t npids, bool self)
{
	read_boot_id(meta);
	for (size_t i = 0; i < npids; i++)
		add_netns(meta, pids[i]);
	if (self)
		add_netns(meta, 0);
}
