# layerwarp — build with make; every dependency is found with pkg-config.
# `make demo` and `make test` install missing Debian packages first.

PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
BUILD   ?= build

PKGS := cairo fontconfig gsl libpng libavcodec libavformat libavutil libswscale libavfilter inih libcrypto libzip json-c libxxhash
FONT := /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
# libcsv (Debian's libcsv-dev) has no pkg-config file: its header and -lcsv
CSV_H := /usr/include/csv.h
# the man pages are built with scdoc; tests read them with man and try the completion
BASH_COMPLETION := /usr/share/bash-completion/bash_completion

# Set-up: when pkg-config (or a package, or the font) is missing, install it.
# Skipped for goals that need nothing installed.
NODEPS_GOALS := clean uninstall help
ifneq ($(filter-out $(NODEPS_GOALS),$(or $(MAKECMDGOALS),all)),)
  ifneq ($(shell pkg-config --exists $(PKGS) 2>/dev/null && test -f $(FONT) && test -f $(CSV_H) && command -v scdoc >/dev/null && command -v man >/dev/null && test -f $(BASH_COMPLETION) && echo ok),ok)
    $(info layerwarp: build dependencies missing, running scripts/install-deps.sh)
    DEPS_LOG := $(shell sh scripts/install-deps.sh 1>&2; echo $$?)
    ifneq ($(DEPS_LOG),0)
      $(error scripts/install-deps.sh failed; install the packages it names and retry)
    endif
  endif
endif

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# FFmpeg's libraries are linked only into the video library (video_lib.h):
# the binary leaves them, and the ~140 libraries they pull in, unloaded
# until a command writes or reads a video.
AV_PKGS    := libavcodec libavformat libavutil libswscale libavfilter
CORE_LIBS  := $(shell pkg-config --libs $(filter-out $(AV_PKGS),$(PKGS)) 2>/dev/null)
VIDEO_LIBS := $(shell pkg-config --libs $(AV_PKGS) cairo 2>/dev/null)

CSTD     := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
WARN     := -Wall -Wextra -Wshadow -Wno-unused-parameter
OPT      ?= -O2 -g
CFLAGS   += $(CSTD) $(WARN) $(OPT) -ffp-contract=off -pthread -Iinclude $(PKG_CFLAGS) $(SAN)
LDLIBS   += $(PKG_LIBS) -lcsv -lm -pthread
LDFLAGS  += $(SAN)

SRC      := $(wildcard src/*.c)
# the modules that call FFmpeg: layerwarp-video.so; video_lib.c: the binary's way to them
VIDEO_SRC := src/video.c src/join.c src/montage.c src/share_video.c
LIB_SRC  := $(filter-out src/main.c src/video_lib.c,$(SRC))
LIB_OBJ  := $(LIB_SRC:src/%.c=$(BUILD)/obj/%.o)
CORE_OBJ := $(filter-out $(VIDEO_SRC:src/%.c=$(BUILD)/obj/%.o),$(LIB_OBJ))
VIDEO_PIC := $(VIDEO_SRC:src/%.c=$(BUILD)/pic/%.o)
VIDEO_SO := $(BUILD)/layerwarp-video.so
TEST_SRC := $(wildcard tests/test_*.c)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
BIN      := $(BUILD)/layerwarp

.PHONY: all demo test test-slurm check-asan bench gallery golden fuzz man install uninstall clean help FORCE
all: $(BIN)

# ---- where `make install` puts things (under $(DESTDIR)) ----
BINDIR   := $(PREFIX)/bin
MANDIR   := $(PREFIX)/share/man
DOCDIR   := $(PREFIX)/share/doc/layerwarp
DATADIR  := $(PREFIX)/share/layerwarp
BASHCOMPDIR := $(PREFIX)/share/bash-completion/completions
LIBDIR   := $(PREFIX)/lib/layerwarp
MAN      := $(BUILD)/man/layerwarp.1 $(BUILD)/man/layerwarp-scene.5
DOCS     := README.md LICENSE
DOC_PAGES := docs/scene-format.md docs/weights-format.md docs/video.md docs/sharing.md \
             docs/architecture.md docs/scale-out.md
# the example scenes and the files they read, at the same paths relative to each other
SCENE_FILES := $(shell find scenes -type f \( -name '*.scene' -o -name '*.csv' -o -name '*.weights' \) | LC_ALL=C sort)
SCENE_DIRS  := $(sort $(patsubst %/,%,$(dir $(SCENE_FILES))))

$(BUILD)/obj/%.o: src/%.c $(wildcard include/*.h) | $(BUILD)/obj
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/liblayerwarp.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

# --help names the installed docs, so cli.o is built again when PREFIX changes
$(BUILD)/obj/cli.o: CFLAGS += -DLW_DOCDIR='"$(DOCDIR)"'
$(BUILD)/obj/cli.o: $(BUILD)/prefix
$(BUILD)/prefix: FORCE | $(BUILD)/obj
	@echo '$(PREFIX)' | cmp -s - $@ || echo '$(PREFIX)' >$@

# Every core module is linked in whole and its symbols exported (-rdynamic):
# the video library calls back into them (lw_fail, atomic_file.c, share.c, ...).
$(BIN): $(BUILD)/obj/main.o $(BUILD)/obj/video_lib.o $(CORE_OBJ) | $(VIDEO_SO)
	$(CC) $(LDFLAGS) -rdynamic -o $@ $(BUILD)/obj/main.o $(BUILD)/obj/video_lib.o \
	    $(CORE_OBJ) $(CORE_LIBS) -lcsv -lm -ldl -pthread

# yuv.c is written for the vectorizer (SSE2, x86-64's baseline); at -O2 GCC 12
# vectorizes only the cheapest loops unless asked for its dynamic cost model
$(BUILD)/obj/yuv.o: CFLAGS += -ftree-vectorize -fvect-cost-model=dynamic

# where the binary looks for the video library once installed (video_lib.c)
$(BUILD)/obj/video_lib.o: CFLAGS += -DLW_LIBDIR='"$(LIBDIR)"'
$(BUILD)/obj/video_lib.o: $(BUILD)/prefix

$(BUILD)/pic/%.o: src/%.c $(wildcard include/*.h) | $(BUILD)/pic
	$(CC) $(CFLAGS) -fPIC -c $< -o $@

# -Bsymbolic: the library's calls among its own functions stay its own
$(VIDEO_SO): $(VIDEO_PIC)
	$(CC) $(LDFLAGS) -shared -Wl,-Bsymbolic -o $@ $^ $(VIDEO_LIBS) -lm -pthread

$(BUILD)/tests/%: tests/%.c $(wildcard tests/*.h) $(BUILD)/liblayerwarp.a | $(BUILD)/tests
	$(CC) $(CFLAGS) -Itests -o $@ $< $(BUILD)/liblayerwarp.a $(LDFLAGS) $(LDLIBS)

$(BUILD)/frame_bench: bench/frame_bench.c $(BUILD)/liblayerwarp.a
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/liblayerwarp.a $(LDFLAGS) $(LDLIBS)

$(BUILD)/obj $(BUILD)/pic $(BUILD)/tests $(BUILD)/man:
	mkdir -p $@

# Man pages from their scdoc sources, with the installed paths filled in.
$(BUILD)/man/%: docs/man/%.scd $(BUILD)/prefix | $(BUILD)/man
	sed -e 's|@DOCDIR@|$(DOCDIR)|g' -e 's|@DATADIR@|$(DATADIR)|g' $< | scdoc >$@.tmp
	mv $@.tmp $@

man: $(MAN)

demo: $(BIN)
	$(BIN) render scenes/moons.scene -o out/moons.mp4
	$(BIN) step scenes/moons.scene --layer 1 -o out/moons-step

# GNU parallel: test_pieces renders a scene's pieces under it; ffprobe (ffmpeg)
# reads the CLI tests' videos as other tools see them
test: $(BIN) $(TEST_BIN)
	sh scripts/install-deps.sh parallel ffmpeg
	sh tests/run.sh $(BUILD)

# A one-node Slurm cluster on loopback renders pieces as a job array and joins
# them in a dependent job (about 15 s).  When the daemons cannot start here
# (no root, no munge) it says so and passes, unless SLURM_REQUIRED=1.
test-slurm: $(BIN) $(BUILD)/tests/test_pieces
	sh scripts/install-deps.sh munge slurmctld slurmd slurm-client
	@sh tests/slurm.sh $(BUILD); rc=$$?; \
	if [ $$rc -eq 77 ] && [ "$${SLURM_REQUIRED:-0}" != 1 ]; then \
	    echo "test-slurm: not run: the Slurm daemons could not be started on this machine"; \
	elif [ $$rc -ne 0 ]; then exit 1; fi

# The whole suite again under AddressSanitizer + UBSan, in its own build dir.
check-asan:
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	$(MAKE) BUILD=build/asan OPT="-O1 -g -fno-omit-frame-pointer" \
	    SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined" test

gallery: $(BIN)
	sh scripts/gallery.sh $(BIN)

# Rewrites tests/golden/*.hashes and says which frames changed (review with git diff).
golden: $(BIN)
	sh scripts/golden.sh $(BIN)

# The scene parser, the CSV reader and the weights reader under libFuzzer +
# ASan + UBSan, FUZZ_SECONDS each (default 60);
# needs clang and its fuzzer runtime (libclang-rt-14-dev).  See tests/fuzz/README.md.
fuzz:
	sh scripts/install-deps.sh clang libclang-rt-14-dev
	FUZZ_SECONDS=$(or $(FUZZ_SECONDS),60) sh scripts/fuzz.sh

# The real binary under Valgrind's Memcheck: no errors, no leaks (about 30 s).
valgrind: $(BIN)
	sh scripts/install-deps.sh valgrind
	LW_BIN=$(BIN) sh tests/valgrind.sh

bench: $(BIN) $(BUILD)/frame_bench
	sh bench/run.sh $(BUILD)

install: $(BIN) $(MAN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(DOCDIR)/docs
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/layerwarp
	install -d $(DESTDIR)$(LIBDIR)
	install -m 644 $(VIDEO_SO) $(DESTDIR)$(LIBDIR)/layerwarp-video.so
	install -m 644 $(BUILD)/man/layerwarp.1 $(DESTDIR)$(MANDIR)/man1/layerwarp.1
	install -m 644 $(BUILD)/man/layerwarp-scene.5 $(DESTDIR)$(MANDIR)/man5/layerwarp-scene.5
	install -m 644 completion/layerwarp.bash $(DESTDIR)$(BASHCOMPDIR)/layerwarp
	install -m 644 $(DOCS) $(DESTDIR)$(DOCDIR)
	install -m 644 $(DOC_PAGES) $(DESTDIR)$(DOCDIR)/docs
	for d in $(SCENE_DIRS); do install -d "$(DESTDIR)$(DATADIR)/$$d" || exit 1; done
	for f in $(SCENE_FILES); do install -m 644 "$$f" "$(DESTDIR)$(DATADIR)/$$f" || exit 1; done

# Removes what install put there, and the folders that were only layerwarp's.
uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/layerwarp-video.so
	rmdir $(DESTDIR)$(LIBDIR) 2>/dev/null || true
	rm -f $(DESTDIR)$(BINDIR)/layerwarp $(DESTDIR)$(MANDIR)/man1/layerwarp.1 \
	    $(DESTDIR)$(MANDIR)/man5/layerwarp-scene.5 $(DESTDIR)$(BASHCOMPDIR)/layerwarp
	rm -f $(addprefix $(DESTDIR)$(DOCDIR)/,$(DOCS)) $(addprefix $(DESTDIR)$(DOCDIR)/,$(DOC_PAGES))
	rm -f $(addprefix $(DESTDIR)$(DATADIR)/,$(SCENE_FILES))
	for d in $(sort $(SCENE_DIRS)); do echo "$$d"; done | LC_ALL=C sort -r | \
	    while read -r d; do rmdir "$(DESTDIR)$(DATADIR)/$$d" 2>/dev/null || true; done
	for d in $(DATADIR) $(DOCDIR)/docs $(DOCDIR); do rmdir "$(DESTDIR)$$d" 2>/dev/null || true; done

clean:
	rm -rf $(BUILD)

help:
	@echo "targets: all demo test test-slurm check-asan bench gallery golden fuzz man install uninstall clean"
