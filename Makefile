# pam_atmos: one entry point.
#   make            build libatmos, atmos-logout
#   make check      every test: a normal pass, then under ASan+UBSan, then valgrind (installs nothing)
#   make check-quick  the normal pass only, for the inner loop
#   make check-host the tests that change this machine (our .debs, pam-auth-update), put back at exit
#   make demo       install what the build and the demo need, run atmos-logout on etc/examples/atmos.yaml
#   make interop    build the real atmos (ATMOS_PIN) from the Go module proxy; compare with it
#   make install    PREFIX=/usr/local DESTDIR=
#   make deb        Debian packages libpam-atmos and atmos-logout, in build/deb/
#   make deps       install the Debian packages the build and tests need (no-op when present)
#   make deps-demo  install only those the build and the demo need (make demo does)

SHELL    := /bin/bash
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/libexec
MANDIR   ?= $(PREFIX)/share/man
SYSCONFDIR ?= $(PREFIX)/etc
DOCDIR   ?= $(PREFIX)/share/doc/pam_atmos
# Debian keeps PAM modules in /lib/<multiarch>/security.
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)
PAMDIR   ?= /lib/$(if $(MULTIARCH),$(MULTIARCH)/,)security
PAMCONFDIR ?= /usr/share/pam-configs
# The module's options file is /etc/security/pam_atmos.conf whatever PREFIX is
# (pam_atmos/options.h), as pam_faillock's faillock.conf is.
SECURITYDIR ?= /etc/security
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/vendor-completions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
DESTDIR  ?=

BUILD    ?= build
CC       ?= cc
CFLAGS   ?= -O2 -g
SAN      ?=

# What the build and the demo use, by Debian package name: the compiler, the -dev packages
# of the libraries the engine links or loads (their headers: libsecret and libcurl are
# dlopen'ed but compiled against), and python3 for the demo's cloud fixture.
DEMO_PKGS   := gcc make pkg-config libyaml-dev libjson-c-dev nettle-dev libkeyutils-dev libpam0g-dev \
               libsecret-1-dev libcurl4-openssl-dev python3
# The tests' toolchain on top: cmocka, the sanitizers and fuzzer (clang), valgrind, the
# judges (botocore, msal, keyutils, the Secret Service, sshd, sshfs), the packaging and
# its checks, the shells whose completions are tested.
TEST_PKGS   := man-db groff-base bash-completion libcmocka-dev python3-botocore python3-msal \
               keyutils gnome-keyring libsecret-tools dbus dbus-bin \
               openssh-server openssh-client passwd clang libclang-rt-14-dev valgrind \
               openssl awscli sshfs fuse3 dpkg-dev debhelper fakeroot lintian devscripts time zsh fish
# Everything the build, the tests and the demo use.
DEBIAN_PKGS := $(DEMO_PKGS) $(TEST_PKGS)
# awscli: the AWS CLI v2 whose `aws sso logout` the sign-out test and make bench compare with.
# dpkg-dev debhelper fakeroot: make deb; lintian and devscripts (hardening-check): its test.
BENCH_PKGS  :=
# The real atmos that make interop, make check and make bench compare with: the newest
# release the Go module proxy serves (v1.225.0; v1.226 and later are refused there),
# built by tests/interop/build_atmos.sh into build/interop/atmos-$(ATMOS_PIN).
ATMOS_PIN   := v1.225.0
ATMOS_BIN   := build/interop/atmos-$(ATMOS_PIN)

PKGS      := yaml-0.1 json-c nettle libkeyutils
# Linked: every run needs these.  libkeyutils (its header only), libsecret and
# libcurl are dlopen'ed by the code that uses them, when a run gets there.
LINK_PKGS := yaml-0.1 json-c nettle
WARN      := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes
# Our own hardening; CPPFLAGS, CFLAGS and LDFLAGS from the environment (a
# package build's dpkg-buildflags) come after it and the warnings, so they add
# to them.  A _FORTIFY_SOURCE of theirs replaces ours rather than redefining it.
# Stack clash probes and control-flow protection where the compiler has them
# (bookworm's dpkg-buildflags does not add them yet; -fcf-protection is x86 only).
cc_has = $(shell $(CC) $(1) -Werror -E -x c /dev/null >/dev/null 2>&1 && echo $(1))
HARDEN    := $(if $(findstring _FORTIFY_SOURCE,$(CPPFLAGS)),,-D_FORTIFY_SOURCE=2) -fstack-protector-strong \
             $(call cc_has,-fstack-clash-protection) $(call cc_has,-fcf-protection)
ifeq ($(SAN),1)
HARDEN    := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
CFLAGS    := -O1 -g
CPPFLAGS  :=
endif
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(LINK_PKGS))
ALL_CFLAGS = -std=gnu11 $(WARN) $(HARDEN) -fPIC -D_GNU_SOURCE -Iinclude -Ilib $(PKG_CFLAGS) \
             -DATMOS_VERSION='"$(VERSION)"' $(CPPFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(HARDEN) -Wl,-z,relro,-z,now $(LDFLAGS)

# One version: the newest entry of debian/changelog.
VERSION  := $(shell sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' debian/changelog)
ifeq ($(VERSION),)
$(error cannot read the version from debian/changelog)
endif

# lib/ is in folders by layer (docs/design.md); `make check-layers` checks the order.
LIB_HDR  := $(sort $(wildcard lib/*/*.h lib/*/*/*.h))
LIB_SRC  := $(sort $(wildcard lib/*/*.c lib/*/*/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
UTIL_SRC := $(sort $(wildcard util/*.c))
UTIL_OBJ := $(UTIL_SRC:%.c=$(BUILD)/%.o)
# The module links libpam and libc only (and the engine's escape function);
# its helper, the program it execs as the user, links the engine.
HELPER_SRC := pam_atmos/helper.c pam_atmos/cleanup.c
HELPER_OBJ := $(HELPER_SRC:%.c=$(BUILD)/%.o)
PAM_SRC  := $(filter-out $(HELPER_SRC),$(sort $(wildcard pam_atmos/*.c)))
PAM_OBJ  := $(PAM_SRC:%.c=$(BUILD)/%.o) $(BUILD)/lib/base/escape.o $(BUILD)/lib/base/clock.o
HELPER   := $(LIBEXECDIR)/pam_atmos/pam_atmos_helper
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all deps deps-demo deps-check check check-layers check-quick check-host check-run demo bench interop fuzz fuzz-build install uninstall deb clean format

all: $(BUILD)/libatmos.a $(BUILD)/atmos-logout $(BUILD)/pam_atmos.so $(BUILD)/pam_atmos_helper

# V=1 shows the full commands.
Q := $(if $(V),,@)

# -MMD -MP: each object's header dependencies, so a header change rebuilds its users.
$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<
-include $(wildcard $(BUILD)/lib/*/*.d $(BUILD)/lib/*/*/*.d $(BUILD)/util/*.d $(BUILD)/pam_atmos/*.d $(BUILD)/fakepam/*/*.d $(BUILD)/fakepam/*/*/*.d)

# The version they print is debian/changelog's.
$(BUILD)/util/options.o $(BUILD)/lib/sys/http.o: debian/changelog

# The module's default helper is where make install puts it.
$(PAM_OBJ): ALL_CFLAGS += -DPA_HELPER='"$(HELPER)"'

# Only the Secret Service child sees GLib's headers; nothing links GLib (it is dlopen'ed).
$(BUILD)/lib/sys/secret.o: ALL_CFLAGS += $(shell pkg-config --cflags libsecret-1)

$(BUILD)/libatmos.a: $(LIB_OBJ)
	@rm -f $@
	$(Q)ar rcs $@ $^

$(BUILD)/atmos-logout: $(UTIL_OBJ) $(BUILD)/libatmos.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(UTIL_OBJ) $(BUILD)/libatmos.a $(PKG_LIBS)

# The module exports pam_sm_open_session and pam_sm_close_session, nothing else.
$(BUILD)/pam_atmos.so: $(PAM_OBJ) pam_atmos/pam_atmos.map
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -shared -o $@ $(PAM_OBJ) -lpam \
	    -Wl,--version-script=pam_atmos/pam_atmos.map -Wl,-z,defs $(ALL_LDFLAGS)

$(BUILD)/pam_atmos_helper: $(HELPER_OBJ) $(BUILD)/libatmos.a
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(HELPER_OBJ) $(BUILD)/libatmos.a $(PKG_LIBS)

# The module over a fake libpam (tests/fakepam), run by any user: its sources
# built a second time with PA_FAKE_ROOT (pam_atmos/hostroot.h), options.c by way
# of options_table.c, which reads its table; the test helper plain, with no
# sanitizer (the module gives it an address-space limit).
FAKEPAM_SRC := $(filter-out pam_atmos/options.c,$(PAM_SRC)) lib/base/escape.c lib/base/clock.c \
               tests/fakepam/pam.c tests/fakepam/options_table.c tests/fakepam/runner.c
FAKEPAM_OBJ := $(FAKEPAM_SRC:%.c=$(BUILD)/fakepam/%.o)
FAKEPAM     := $(BUILD)/fakepam/runner $(BUILD)/fakepam/helper

$(BUILD)/fakepam/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -DPA_FAKE_ROOT -DPA_HELPER='"$(HELPER)"' -Ipam_atmos -MMD -MP -c -o $@ $<

$(BUILD)/fakepam/runner: $(FAKEPAM_OBJ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $(FAKEPAM_OBJ)

$(BUILD)/fakepam/helper: tests/fakepam/helper.c pam_atmos/protocol.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) -std=gnu11 $(WARN) -O1 -g -D_GNU_SOURCE -o $@ $<

$(BUILD)/pamtest: tests/pam/pamtest.c
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -pthread -o $@ $< -lpam $(ALL_LDFLAGS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libatmos.a tests/unit/testutil.h $(wildcard include/atmos/*.h) $(LIB_HDR)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -Ilib -Itests/unit $$(pkg-config --cflags cmocka) -o $@ $< \
	    $(BUILD)/libatmos.a $(PKG_LIBS) $$(pkg-config --libs cmocka) $(ALL_LDFLAGS)

# kubectl judges the kubeconfig tests: Debian's kubernetes-client only where no kubectl
# exists, since another package (or a hand install) may own /usr/bin/kubectl.  docker's
# client judges docker's config.json (test_editors_diff.sh): Debian's docker.io likewise.
# WANT_PKGS: the packages a target wants; WANT_JUDGES: also kubectl and docker (the tests').
WANT_PKGS    = $(DEBIAN_PKGS)
WANT_JUDGES  = yes
MISSING_PKGS = missing=""; for p in $(WANT_PKGS); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done$(if $(WANT_JUDGES),; \
	command -v kubectl >/dev/null || missing="$$missing kubernetes-client"; \
	command -v docker >/dev/null || missing="$$missing docker.io")
INSTALL_MISSING = @$(MISSING_PKGS); \
	if [ -n "$$missing" ]; then \
	    echo "$@: installing$$missing"; \
	    if [ "$$(id -u)" -ne 0 ]; then echo "$@: run as root, or: sudo apt-get install$$missing" >&2; exit 1; fi; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing </dev/null; \
	fi
deps:
	$(INSTALL_MISSING)

# make demo: the build and the demo alone, not the tests' toolchain (make deps).
deps-demo: WANT_PKGS = $(DEMO_PKGS)
deps-demo: WANT_JUDGES =
deps-demo:
	$(INSTALL_MISSING)

# make check installs nothing: it says what is missing (make deps installs it),
# and the tests that need it say skip.
deps-check:
	@$(MISSING_PKGS); \
	if [ -n "$$missing" ]; then \
	    echo "check: not installed:$$missing" >&2; \
	    echo "check: 'make deps' installs them (as root); the tests that need them will say skip" >&2; \
	fi

# The module's frame reader is compiled into its unit test (it is not part of libatmos).
$(BUILD)/tests/test_frames: pam_atmos/frames.c pam_atmos/frames.h pam_atmos/protocol.h

# libFuzzer targets (clang): the engine built once with coverage and
# ASan+UBSan (an archive of its own), each target linked against it.
FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_TARGETS := config config_imports ini sso json yamledit dotenv frames
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS   = -std=gnu11 $(WARN) -g -O1 -D_GNU_SOURCE -DATMOS_VERSION='"$(VERSION)"' -Iinclude -Ilib $(PKG_CFLAGS) \
                $(shell pkg-config --cflags libsecret-1)
FUZZ_FLAGS    = $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=$(FUZZ_DIR)/%.o)

$(FUZZ_DIR)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $@")
	$(Q)clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined -MMD -MP -c -o $@ $<
-include $(wildcard $(FUZZ_DIR)/lib/*/*.d $(FUZZ_DIR)/lib/*/*/*.d)

$(FUZZ_DIR)/libatmos.a: $(FUZZ_LIB_OBJ)
	@rm -f $@
	$(Q)ar rcs $@ $^

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_DIR)/libatmos.a $(wildcard include/atmos/*.h) $(LIB_HDR)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)clang $(FUZZ_FLAGS) -o $@ $< $(FUZZ_DIR)/libatmos.a $(PKG_LIBS)

# The module's frame reader: its own sources and the escape function, not the engine.
FRAMES_SRC := pam_atmos/frames.c lib/base/escape.c
$(FUZZ_DIR)/fuzz_frames: tests/fuzz/fuzz_frames.c $(FRAMES_SRC) pam_atmos/frames.h pam_atmos/protocol.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  FUZZ    $@")
	$(Q)clang $(FUZZ_FLAGS) -Ipam_atmos -o $@ $< $(FRAMES_SRC)

fuzz-build: $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz_%)

# Each target for FUZZ_SECONDS on a copy of its seed corpus (new inputs stay in build/).
fuzz: deps
	$(MAKE) --no-print-directory fuzz-build
	@set -o pipefail; for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(FUZZ_DIR)/corpus_$$t && cp -n tests/fuzz/corpus_$$t/* $(FUZZ_DIR)/corpus_$$t/; \
	    echo "fuzz_$$t: $(FUZZ_SECONDS) s"; \
	    $(FUZZ_DIR)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	        -artifact_prefix=$(FUZZ_DIR)/crash-$$t- $(FUZZ_DIR)/corpus_$$t 2>&1 | \
	        grep -E 'stat::number_of_executed_units|Done|ERROR|SUMMARY' || exit 1; \
	done

# The suite runs three times: a normal build, an ASan+UBSan build of
# everything, and under valgrind; the fuzz corpora are replayed once as
# regression tests.  It installs nothing (make deps does), and changes
# nothing of the machine's that it does not put back: each test script runs
# in a mount namespace of its own; the ones that install our packages and
# switch the profile on are make check-host.  JOBS scripts at a time
# (default: the number of CPUs).
check: deps-check
	$(MAKE) --no-print-directory check-layers
	$(MAKE) --no-print-directory fuzz-build
	$(MAKE) --no-print-directory check-run
	$(MAKE) --no-print-directory check-run BUILD=build/asan SAN=1
	$(MAKE) --no-print-directory check-run VALGRIND=1

# The inner loop: the normal pass alone (no sanitizers, no valgrind, no fuzz replay).
check-quick: deps-check
	$(MAKE) --no-print-directory check-layers
	$(MAKE) --no-print-directory check-run NOFUZZ=1

# The engine's layers (docs/design.md): each calls only those below it, and no files call
# in a circle.  First it proves it can fail: a planted object of the lowest layer that
# calls the planner must be refused, by name.
check-layers: $(LIB_OBJ)
	$(Q)printf 'int atmos_plan_build();\nint planted(void) { return atmos_plan_build(); }\n' | \
		$(CC) -x c -c -o $(BUILD)/lib/base/planted.o -
	$(Q)if python3 tests/layers/check_layers.py $(BUILD)/lib $(BUILD)/lib/base/planted.o \
		$(LIB_OBJ) >$(BUILD)/layers-planted.out 2>&1; then \
		echo "check-layers: a planted upward call was not found"; exit 1; fi
	$(Q)grep -q 'lib/base/planted.c (base) calls up into lib/plan/plan.c (plan): atmos_plan_build' \
		$(BUILD)/layers-planted.out || { cat $(BUILD)/layers-planted.out; exit 1; }
	$(Q)rm -f $(BUILD)/lib/base/planted.o $(BUILD)/layers-planted.out
	@echo "check-layers: a planted upward call (base -> plan) is refused"
	$(Q)python3 tests/layers/check_layers.py $(BUILD)/lib $(LIB_OBJ)

# Changes this machine: installs our Debian packages, runs pam-auth-update on
# /etc/pam.d, logs in over the system's sshd; puts it all back at exit.
check-host: all
	@echo "check-host: this installs libpam-atmos and atmos-logout and enables the PAM profile, then restores the machine"
	BUILD=$(BUILD) HOST_TESTS=1 bash tests/run.sh

check-run: all $(UNIT_BIN) $(BUILD)/pamtest $(FAKEPAM)
	BUILD=$(BUILD) SAN=$(SAN) VALGRIND=$(VALGRIND) NOFUZZ=$(NOFUZZ) JOBS=$(JOBS) bash tests/run.sh

$(BUILD)/pambench: bench/pambench.c
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< -lpam $(ALL_LDFLAGS)

$(BUILD)/runone: bench/runone.c
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(ALL_LDFLAGS)

# The floor for an identity logout: libc alone; and the same paying for the
# engine's libraries and a YAML pass (a row that shows that part of the gap).
$(BUILD)/floor_logout: bench/floor_logout.c
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(ALL_LDFLAGS)

$(BUILD)/floor_logout_libs: bench/floor_logout.c
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -DFLOOR_ENGINE_LIBS -o $@ $< $(PKG_LIBS) $(ALL_LDFLAGS)

# The floor for loading an atmos.yaml: a bare libyaml event pass over the file
# (libyaml alone, so the floor pays for no other library at exec).
$(BUILD)/yaml_events: bench/yaml_events.c
	@$(if $(Q),echo "  CC      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(shell pkg-config --libs yaml-0.1) $(ALL_LDFLAGS)

# Speed and memory, against the targets and `aws sso logout` when installed.
bench:
	$(MAKE) --no-print-directory deps DEBIAN_PKGS="$(DEBIAN_PKGS) $(BENCH_PKGS)"
	$(MAKE) --no-print-directory all $(BUILD)/pambench $(BUILD)/runone $(BUILD)/yaml_events \
		$(BUILD)/floor_logout $(BUILD)/floor_logout_libs
	-$(MAKE) --no-print-directory $(ATMOS_BIN)
	BUILD=$(BUILD) ATMOS_BIN=$(CURDIR)/$(ATMOS_BIN) /usr/bin/python3 bench/bench.py

# The real atmos, built once per version (Go's caches make a rebuild take seconds), then
# the differential tests against it.
$(ATMOS_BIN):
	bash tests/interop/build_atmos.sh $(ATMOS_PIN) $(CURDIR)/$@

interop: all $(ATMOS_BIN)
	BUILD=$(BUILD) ATMOS_PIN=$(ATMOS_PIN) bash tests/e2e/test_interop.sh

demo: deps-demo
	$(MAKE) --no-print-directory all
	BUILD=$(BUILD) bash etc/examples/demo.sh

INSTALLED := $(BINDIR)/atmos-logout $(PAMDIR)/pam_atmos.so $(HELPER) $(MANDIR)/man8/pam_atmos.8 \
             $(MANDIR)/man1/atmos-logout.1 $(BASHCOMPDIR)/atmos-logout $(ZSHCOMPDIR)/_atmos-logout \
             $(FISHCOMPDIR)/atmos-logout.fish $(PAMCONFDIR)/atmos $(DOCDIR)/examples/atmos.yaml $(DOCDIR)/examples/pam.d-sshd \
             $(DOCDIR)/atmos-logout.md

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(PAMDIR) $(DESTDIR)$(LIBEXECDIR)/pam_atmos $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) \
	    $(DESTDIR)$(FISHCOMPDIR) $(DESTDIR)$(PAMCONFDIR) \
	    $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(SECURITYDIR)
	install -m 0755 $(BUILD)/atmos-logout $(DESTDIR)$(BINDIR)/atmos-logout
	install -m 0644 $(BUILD)/pam_atmos.so $(DESTDIR)$(PAMDIR)/pam_atmos.so
	install -m 0755 $(BUILD)/pam_atmos_helper $(DESTDIR)$(HELPER)
	install -m 0644 docs/pam_atmos.8 $(DESTDIR)$(MANDIR)/man8/pam_atmos.8
	install -m 0644 docs/atmos-logout.1 $(DESTDIR)$(MANDIR)/man1/atmos-logout.1
	install -m 0644 etc/bash-completion/atmos-logout.bash $(DESTDIR)$(BASHCOMPDIR)/atmos-logout
	install -m 0644 etc/zsh-completion/_atmos-logout $(DESTDIR)$(ZSHCOMPDIR)/_atmos-logout
	install -m 0644 etc/fish-completion/atmos-logout.fish $(DESTDIR)$(FISHCOMPDIR)/atmos-logout.fish
	install -m 0644 etc/pam-configs/atmos $(DESTDIR)$(PAMCONFDIR)/atmos
	install -m 0644 etc/examples/atmos.yaml $(DESTDIR)$(DOCDIR)/examples/atmos.yaml
	install -m 0644 etc/pam.d/sshd.example $(DESTDIR)$(DOCDIR)/examples/pam.d-sshd
	install -m 0644 docs/atmos-logout.md $(DESTDIR)$(DOCDIR)/atmos-logout.md
	@# The administrator's file: installed when there is none, never overwritten.
	[ -e $(DESTDIR)$(SECURITYDIR)/pam_atmos.conf ] || \
	    install -m 0644 etc/security/pam_atmos.conf $(DESTDIR)$(SECURITYDIR)/pam_atmos.conf

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))
	@# The options file only as it was installed: an administrator's edits stay.
	-cmp -s etc/security/pam_atmos.conf $(DESTDIR)$(SECURITYDIR)/pam_atmos.conf && \
	    rm -f $(DESTDIR)$(SECURITYDIR)/pam_atmos.conf
	-rmdir $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR) $(DESTDIR)$(LIBEXECDIR)/pam_atmos 2>/dev/null

# Debian packages from a copy of the working tree (build/ and .git left out),
# with the build dependencies debian/control declares; the .deb, .changes and
# .buildinfo files land in build/deb/, and lintian checks the .changes.
DEB_DIR := build/deb
deb: deps
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/pam-atmos-$(VERSION)
	tar -cf - --exclude=./build --exclude=./.git . | tar -xf - -C $(DEB_DIR)/pam-atmos-$(VERSION)
	cd $(DEB_DIR)/pam-atmos-$(VERSION) && dpkg-checkbuilddeps && dpkg-buildpackage -us -uc -b
	rm -rf $(DEB_DIR)/pam-atmos-$(VERSION)
	lintian --fail-on error,warning $(DEB_DIR)/*.changes
	@ls -1 $(DEB_DIR)/*.deb

format:
	clang-format -i include/atmos/*.h $(LIB_SRC) $(LIB_HDR) util/*.[ch] pam_atmos/*.[ch] bench/*.c \
		tests/unit/*.[ch] tests/fuzz/*.c

clean:
	rm -rf build
