# ipctrace build. `make` builds ./ipctrace; other outputs stay in $(OUTPUT).
# V=1 shows commands; SAN=1 builds with ASan+UBSan into .output-san.

SAN ?=
ifeq ($(SAN),1)
OUTPUT ?= .output-san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
OUTPUT ?= .output
SANFLAGS :=
endif

CC ?= cc
CLANG ?= clang
BPFTOOL ?= $(shell command -v bpftool 2>/dev/null || echo /usr/sbin/bpftool)
PREFIX ?= /usr/local
ARCH := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/;s/ppc64le/powerpc/;s/mips.*/mips/;s/riscv64/riscv/;s/loongarch64/loongarch/')

CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter $(SANFLAGS)
# The layers, bottom to top (DESIGN.md): each includes only those before it.
LAYERS := common trace model output record cli
CPPFLAGS += -I$(OUTPUT) -Ibpf $(addprefix -I,$(LAYERS)) -D_GNU_SOURCE
DEPFLAGS = -MMD -MP
LDFLAGS += $(SANFLAGS)
# Graphviz lays out the communication graph (output/graph_layout.c only).
GV_CFLAGS := $(shell pkg-config --cflags libgvc 2>/dev/null || echo -I/usr/include/graphviz)
GV_LIBS := $(shell pkg-config --libs libgvc 2>/dev/null || echo -lgvc -lcgraph -lcdt)
# Only the dot engine, linked in: no plugins from Graphviz's configuration (their pango text
# layout keeps a pointer into a freed graph, a use-after-free ASan finds on the second layout).
GV_PLUGIN_DIR := $(shell pkg-config --variable=libdir libgvc 2>/dev/null || echo /usr/lib/x86_64-linux-gnu)/graphviz
GV_LIBS += -L$(GV_PLUGIN_DIR) -Wl,-rpath,$(GV_PLUGIN_DIR) -lgvplugin_dot_layout
# libdeflate: the trace's blocks, whole-buffer zlib streams (2-3x zlib's inflate speed)
READ_LDLIBS := -ldeflate -lm $(GV_LIBS)
LDLIBS += -lbpf -lelf -lz $(READ_LDLIBS)

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

# The read side (everything but the recorder and the CLI) builds without the
# BPF toolchain: unit tests, fuzzing and reports need no clang, bpftool or BTF.
# cli/passes.c (which sinks ride the pass behind render and export) too: the unit tests and the
# fuzzer run what the CLI runs.
READ_SRCS := $(wildcard common/*.c trace/*.c model/*.c output/*.c) record/procfs.c record/hostinfo.c \
	     record/title_watch.c cli/passes.c
READ_OBJS := $(patsubst %.c,$(OUTPUT)/obj/%.o,$(READ_SRCS))
RECORD_OBJS := $(OUTPUT)/obj/record/recorder.o
CLI_OBJS := $(patsubst %.c,$(OUTPUT)/obj/%.o,$(filter-out cli/passes.c,$(wildcard cli/*.c)))
UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_OBJS := $(patsubst %.c,$(OUTPUT)/obj/%.o,$(UNIT_SRCS))
DEMO_SRCS := $(wildcard demos/*.c)
DEMO_BINS := $(patsubst demos/%.c,$(OUTPUT)/demos/%,$(DEMO_SRCS))
# Programs only the end-to-end tests drive (not teaching demos).
HELPER_SRCS := $(wildcard tests/e2e/helpers/*.c)
HELPER_BINS := $(patsubst tests/e2e/helpers/%.c,$(OUTPUT)/helpers/%,$(HELPER_SRCS))
BPF_SRCS := $(wildcard bpf/*.bpf.c)
SKELS := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.skel.h,$(BPF_SRCS))
ALL_OBJS := $(READ_OBJS) $(RECORD_OBJS) $(CLI_OBJS) $(UNIT_OBJS)

.PHONY: all clean test unit e2e test-tools demos bench fuzz fuzz-run install deps gallery demo
.DELETE_ON_ERROR:
# Keep the BPF object and skeleton: deleting them as intermediates rebuilt everything each time.
.SECONDARY:

all: ipctrace demos

ifeq ($(SAN),1)
# The sanitizer binary lives in the build dir; ./ipctrace stays the normal one.
IPCTRACE_BIN := $(OUTPUT)/ipctrace
ipctrace: $(IPCTRACE_BIN)
else
IPCTRACE_BIN := ipctrace
endif

# Installs the build and test dependencies when one is missing (root, Debian);
# `make` alone never does: only deps, demo and test.
$(OUTPUT)/.deps-ok: tools/install-deps.sh
	$(Q)mkdir -p $(@D)
	$(Q)tools/install-deps.sh
	$(Q)touch $@

$(OUTPUT)/vmlinux.h:
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@

$(OUTPUT)/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) $(OUTPUT)/vmlinux.h
	$(call msg,BPF,$@)
	$(Q)$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -I$(OUTPUT) -Ibpf -c $< -o $@
	$(Q)llvm-strip -g $@ 2>/dev/null || true

$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

$(OUTPUT)/obj/output/graph_layout.o: CPPFLAGS += $(GV_CFLAGS)

# Only the recorder includes the skeleton.
$(RECORD_OBJS): $(SKELS)

$(OUTPUT)/obj/%.o: %.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS) -c $< -o $@

$(OUTPUT)/libipctrace.a: $(READ_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(IPCTRACE_BIN): $(CLI_OBJS) $(RECORD_OBJS) $(OUTPUT)/libipctrace.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# The traced programs are built plain: a sanitizer would change what is traced (LeakSanitizer
# clones a tracer task at exit, a process of its own in the trace). ipctrace is what SAN=1 checks.
$(OUTPUT)/demos/%: demos/%.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O2 -g -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE $< -o $@ -lrt -lpthread

demos: $(DEMO_BINS)

$(OUTPUT)/helpers/%: tests/e2e/helpers/%.c $(wildcard tests/e2e/helpers/*.h)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O2 -g -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE $< -o $@ -lrt -lpthread

$(OUTPUT)/unit_tests: $(UNIT_OBJS) $(OUTPUT)/libipctrace.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ -lcriterion $(READ_LDLIBS) -lz -o $@

unit: $(OUTPUT)/.deps-ok $(OUTPUT)/unit_tests
	LSAN_OPTIONS=suppressions=$(abspath tests/lsan.supp) $(OUTPUT)/unit_tests --jobs 2

# The end-to-end tests run under Debian's pytest (python3-pytest), whatever python3 is first
# on PATH. E2E_ARGS passes pytest options: make e2e E2E_ARGS='-k fifo -x' (README, Tests).
PYTEST ?= /usr/bin/python3 -m pytest
E2E_ARGS ?=
e2e: $(OUTPUT)/.deps-ok $(IPCTRACE_BIN) demos $(HELPER_BINS) test-tools
	$(Q)IPCTRACE=$(abspath $(IPCTRACE_BIN)) IPCTRACE_DEMOS=$(abspath $(OUTPUT)/demos) \
	  IPCTRACE_HELPERS=$(abspath $(OUTPUT)/helpers) IPCTRACE_TEST_TOOLS=$(abspath $(OUTPUT)/tools) \
	  $(PYTEST) tests/e2e $(if $(IPCTRACE_E2E),-k '$(IPCTRACE_E2E)') $(E2E_ARGS) || { rc=$$?; \
	  [ $$rc -ne 5 ] || echo "e2e: no test selected (see -k in E2E_ARGS or IPCTRACE_E2E)" >&2; exit $$rc; }

test: unit e2e

# libFuzzer targets: the trace reader, and everything after it (model, report, SVG, export);
# fuzz-run runs each for FUZZ_SECONDS from its corpus.
FUZZ_SECONDS ?= 60
FUZZ_CC = $(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined $(CPPFLAGS) $(GV_CFLAGS)
FUZZ_READ_SRCS := $(filter-out record/%,$(READ_SRCS))

$(OUTPUT)/fuzz_trace_reader: tests/fuzz/fuzz_trace_reader.c trace/trace.c trace/trace.h bpf/ipctrace.h
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_CC) tests/fuzz/fuzz_trace_reader.c trace/trace.c -ldeflate -lz -o $@

$(OUTPUT)/fuzz_outputs: tests/fuzz/fuzz_outputs.c $(FUZZ_READ_SRCS) $(wildcard */*.h)
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(FUZZ_CC) tests/fuzz/fuzz_outputs.c $(FUZZ_READ_SRCS) $(READ_LDLIBS) -o $@

fuzz: $(OUTPUT)/fuzz_trace_reader $(OUTPUT)/fuzz_outputs
fuzz-run: fuzz
	mkdir -p $(OUTPUT)/fuzz-corpus $(OUTPUT)/fuzz-corpus-outputs
	$(OUTPUT)/fuzz_trace_reader -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 $(OUTPUT)/fuzz-corpus tests/fuzz/corpus
	LSAN_OPTIONS=suppressions=$(abspath tests/lsan.supp) $(OUTPUT)/fuzz_outputs -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 $(OUTPUT)/fuzz-corpus-outputs tests/fuzz/corpus-outputs tests/fuzz/corpus

# Benchmark helpers (tests/bench/*.c), linked against the trace writer.
BENCH_SRCS := $(wildcard tests/bench/*.c)
BENCH_BINS := $(patsubst tests/bench/%.c,$(OUTPUT)/bench/%,$(BENCH_SRCS))

$(OUTPUT)/bench/%: tests/bench/%.c $(OUTPUT)/libipctrace.a
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $< $(OUTPUT)/libipctrace.a $(READ_LDLIBS) -o $@

# Test helpers (tests/tools/*.c), linked against the trace reader and writer.
TEST_TOOL_SRCS := $(wildcard tests/tools/*.c)
TEST_TOOL_BINS := $(patsubst tests/tools/%.c,$(OUTPUT)/tools/%,$(TEST_TOOL_SRCS))

$(OUTPUT)/tools/%: tests/tools/%.c $(OUTPUT)/libipctrace.a
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $< $(OUTPUT)/libipctrace.a $(READ_LDLIBS) -o $@

test-tools: $(TEST_TOOL_BINS)

bench: ipctrace demos $(BENCH_BINS)
	IPCTRACE=$(abspath ipctrace) IPCTRACE_DEMOS=$(abspath $(OUTPUT)/demos) tools/bench.sh

gallery: ipctrace demos
	IPCTRACE=$(abspath ipctrace) IPCTRACE_DEMOS=$(abspath $(OUTPUT)/demos) tools/gallery.sh

deps:
	tools/install-deps.sh

# The quick start: trace a built-in demo, leave ipctrace.svg and ipctrace.trace.
demo: $(OUTPUT)/.deps-ok ipctrace demos
	./ipctrace -- $(OUTPUT)/demos/pipe_blocking

install: $(IPCTRACE_BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 $(IPCTRACE_BIN) $(DESTDIR)$(PREFIX)/bin/ipctrace
	install -m 0644 doc/ipctrace.1 $(DESTDIR)$(PREFIX)/share/man/man1/ipctrace.1

clean:
	rm -rf .output .output-san ipctrace

-include $(ALL_OBJS:.o=.d)
