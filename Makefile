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
CPPFLAGS += -I$(OUTPUT) -Iuser -Iviz -Ibpf -D_GNU_SOURCE
LDFLAGS += $(SANFLAGS)
LDLIBS += -lbpf -lelf -lz -lm

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

LIB_SRCS := $(wildcard user/*.c viz/*.c)
LIB_SRCS := $(filter-out user/main.c,$(LIB_SRCS))
LIB_OBJS := $(patsubst %.c,$(OUTPUT)/obj/%.o,$(LIB_SRCS))
UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_OBJS := $(patsubst %.c,$(OUTPUT)/obj/%.o,$(UNIT_SRCS))
TOOL_SRCS := $(wildcard tools/*.c)
TOOL_BINS := $(patsubst tools/%.c,$(OUTPUT)/tools/%,$(TOOL_SRCS))
BPF_SRCS := $(wildcard bpf/*.bpf.c)
SKELS := $(patsubst bpf/%.bpf.c,$(OUTPUT)/%.skel.h,$(BPF_SRCS))

.PHONY: all clean test unit e2e tools bench fuzz fuzz-run install deps gallery demo
.DELETE_ON_ERROR:
# Keep the BPF object and skeleton: deleting them as intermediates rebuilt everything each time.
.SECONDARY:

all: ipctrace tools

ifeq ($(SAN),1)
# The sanitizer binary lives in the build dir; ./ipctrace stays the normal one.
IPCTRACE_BIN := $(OUTPUT)/ipctrace
ipctrace: $(IPCTRACE_BIN)
else
IPCTRACE_BIN := ipctrace
endif

$(OUTPUT) $(OUTPUT)/obj/user $(OUTPUT)/obj/viz $(OUTPUT)/obj/tests/unit $(OUTPUT)/tools:
	$(Q)mkdir -p $@

# Installs the build and test dependencies when one is missing (root, Debian).
$(OUTPUT)/.deps-ok: tools/install-deps.sh | $(OUTPUT)
	$(Q)tools/install-deps.sh
	$(Q)touch $@

$(OUTPUT)/vmlinux.h: | $(OUTPUT) $(OUTPUT)/.deps-ok
	$(call msg,GEN,$@)
	$(Q)$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@

$(OUTPUT)/%.bpf.o: bpf/%.bpf.c bpf/ipctrace.h $(OUTPUT)/vmlinux.h | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -I$(OUTPUT) -Ibpf -c $< -o $@
	$(Q)llvm-strip -g $@ 2>/dev/null || true

$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

$(OUTPUT)/obj/%.o: %.c $(wildcard user/*.h viz/*.h bpf/*.h) $(SKELS) | $(OUTPUT)/obj/user $(OUTPUT)/obj/viz $(OUTPUT)/obj/tests/unit
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(OUTPUT)/libipctrace.a: $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(IPCTRACE_BIN): $(OUTPUT)/obj/user/main.o $(OUTPUT)/libipctrace.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(OUTPUT)/tools/%: tools/%.c | $(OUTPUT)/tools
	$(call msg,CC,$@)
	$(Q)$(CC) -O2 -g -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE $(SANFLAGS) $< -o $@ -lrt -lpthread

tools: $(TOOL_BINS)

$(OUTPUT)/unit_tests: $(UNIT_OBJS) $(OUTPUT)/libipctrace.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ -lcriterion $(LDLIBS) -o $@

unit: $(OUTPUT)/.deps-ok $(OUTPUT)/unit_tests
	LSAN_OPTIONS=suppressions=$(abspath tests/lsan.supp) $(OUTPUT)/unit_tests --jobs 2

e2e: $(OUTPUT)/.deps-ok $(IPCTRACE_BIN) tools
	IPCTRACE=$(abspath $(IPCTRACE_BIN)) IPCTRACE_TOOLS=$(abspath $(OUTPUT)/tools) python3 tests/e2e/run.py

test: unit e2e

# libFuzzer target for the trace reader; fuzz-run runs it for FUZZ_SECONDS.
FUZZ_SECONDS ?= 60
$(OUTPUT)/fuzz_trace_reader: tests/fuzz/fuzz_trace_reader.c user/trace.c user/trace.h bpf/ipctrace.h | $(OUTPUT)
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined $(CPPFLAGS) tests/fuzz/fuzz_trace_reader.c user/trace.c -lz -o $@

fuzz: $(OUTPUT)/fuzz_trace_reader
fuzz-run: $(OUTPUT)/fuzz_trace_reader
	mkdir -p $(OUTPUT)/fuzz-corpus
	$(OUTPUT)/fuzz_trace_reader -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 $(OUTPUT)/fuzz-corpus tests/fuzz/corpus

# Benchmark helpers (tests/bench/*.c), linked against the trace writer.
BENCH_SRCS := $(wildcard tests/bench/*.c)
BENCH_BINS := $(patsubst tests/bench/%.c,$(OUTPUT)/bench/%,$(BENCH_SRCS))

$(OUTPUT)/bench:
	$(Q)mkdir -p $@

$(OUTPUT)/bench/%: tests/bench/%.c $(OUTPUT)/libipctrace.a $(wildcard user/*.h bpf/*.h) | $(OUTPUT)/bench
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $< $(OUTPUT)/libipctrace.a $(LDLIBS) -o $@

bench: ipctrace tools $(BENCH_BINS)
	IPCTRACE=$(abspath ipctrace) IPCTRACE_TOOLS=$(abspath $(OUTPUT)/tools) tools/bench.sh

gallery: ipctrace tools
	IPCTRACE=$(abspath ipctrace) IPCTRACE_TOOLS=$(abspath $(OUTPUT)/tools) tools/gallery.sh

deps:
	tools/install-deps.sh

# The quick start: trace a built-in demo, leave ipctrace.svg and ipctrace.trace.
demo: $(OUTPUT)/.deps-ok ipctrace tools
	./ipctrace -- $(OUTPUT)/tools/pipe_blocking

install: ipctrace
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 ipctrace $(DESTDIR)$(PREFIX)/bin/ipctrace
	install -m 0644 doc/ipctrace.1 $(DESTDIR)$(PREFIX)/share/man/man1/ipctrace.1

clean:
	rm -rf .output .output-san ipctrace
