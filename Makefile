# oxvirt: build libvirt.so.0 from the Rust staticlib with libvirt 9.0's version script and SONAME.
# cargo's cdylib cannot carry a version script, so the link is done here.

PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
CARGO ?= cargo
CC ?= cc
PROFILE ?= release
OUT := build/lib
STATICLIB := target/$(PROFILE)/libvirt.a
SONAME := libvirt.so.0
VERSION := 9000.0.0

.PHONY: all lib headers generate deps check test ctests demo bench install uninstall clean

all: lib

lib: $(OUT)/$(SONAME) $(OUT)/libvirt-qemu.so.0 $(OUT)/libvirt-lxc.so.0 $(OUT)/libvirt-admin.so.0

$(STATICLIB): FORCE
	$(CARGO) build --$(PROFILE) --lib

# link/hot-text.ld gathers the code of the hot paths (link/hot_text.py); -z pack-relative-relocs
# keeps the relocations the loader reads at start in a few KiB instead of 190.
$(OUT)/$(SONAME): $(STATICLIB) link/libvirt.map link/hot-text.ld
	@mkdir -p $(OUT)
	$(CC) -shared -o $(OUT)/libvirt.so.$(VERSION) \
	    -Wl,--whole-archive $(STATICLIB) -Wl,--no-whole-archive \
	    -Wl,--version-script=link/libvirt.map -Wl,-soname,$(SONAME) \
	    -Wl,-z,defs -Wl,--gc-sections -Wl,-z,pack-relative-relocs -Wl,-T,link/hot-text.ld -lpthread -ldl -lm -lc -lgcc_s
	ln -sf libvirt.so.$(VERSION) $(OUT)/$(SONAME)
	ln -sf $(SONAME) $(OUT)/libvirt.so

# libvirt0's other libraries: shims whose functions live in libvirt.so.0 under its private node
# OXVIRT_LIBS_0.1.0 (src/ffi/qemu_libs.rs), with libvirt 9.0's version nodes and SONAMEs.
$(OUT)/libvirt-%.so.0: link/libvirt-%.c link/libvirt-%.map $(OUT)/$(SONAME)
	$(CC) -shared -fPIC -O2 -Wall -Wextra -Werror -Iinclude -o $(OUT)/libvirt-$*.so.$(VERSION) \
	    link/libvirt-$*.c -Wl,--version-script=link/libvirt-$*.map -Wl,-soname,libvirt-$*.so.0 \
	    -Wl,-z,defs -L$(OUT) -lvirt
	ln -sf libvirt-$*.so.$(VERSION) $@
	ln -sf libvirt-$*.so.0 $(OUT)/libvirt-$*.so

# Regenerate the checked-in tables from Debian's libvirt-api.xml, then the headers.
generate:
	python3 gen/generate.py
	OXVIRT_WRITE_HEADERS=1 $(CARGO) build --$(PROFILE) --lib

headers:
	OXVIRT_WRITE_HEADERS=1 $(CARGO) build --$(PROFILE) --lib

# Every test: Rust unit and integration tests, the generated-output and header checks, the
# exported-symbol check and the C harness (differential against Debian's libvirt when present).
check: deps
	$(MAKE) lib
	bash tests/run-all.sh

# As root on Debian: install the reference, qemu and the test tools (says what it changes).
# OXVIRT_NO_INSTALL=1, or not being root, installs nothing; the suites then skip loudly.
deps:
	bash scripts/install-deps.sh

test: check

ctests: lib
	bash c-tests/run.sh

demo: lib
	bash examples/demo.sh

bench: lib
	bash benches/run.sh

# By default the library goes to a private directory that no ld.so.conf lists, so that the host's
# own libvirt users (virsh, libvirtd: they need libvirt's private ABI) keep Debian's library.
# Programs reach ours through the rpath in libvirt.pc or through oxvirt-run. OXVIRT_OVER_SYSTEM=1
# installs into $(LIBDIR) itself, in front of the system's library (see README: what it breaks).
ifeq ($(OXVIRT_OVER_SYSTEM),1)
OXVIRT_LIBDIR ?= $(LIBDIR)
else
OXVIRT_LIBDIR ?= $(LIBDIR)/oxvirt
endif
BINDIR ?= $(PREFIX)/bin

install: lib
	install -d $(DESTDIR)$(OXVIRT_LIBDIR) $(DESTDIR)$(INCLUDEDIR)/libvirt $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(BINDIR)
	install -m 0755 $(OUT)/libvirt.so.$(VERSION) $(DESTDIR)$(OXVIRT_LIBDIR)/
	ln -sf libvirt.so.$(VERSION) $(DESTDIR)$(OXVIRT_LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(OXVIRT_LIBDIR)/libvirt.so
	for l in qemu lxc admin; do \
	    install -m 0755 $(OUT)/libvirt-$$l.so.$(VERSION) $(DESTDIR)$(OXVIRT_LIBDIR)/ && \
	    ln -sf libvirt-$$l.so.$(VERSION) $(DESTDIR)$(OXVIRT_LIBDIR)/libvirt-$$l.so.0; \
	done
	install -m 0644 include/libvirt/*.h $(DESTDIR)$(INCLUDEDIR)/libvirt/
	sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(OXVIRT_LIBDIR)|; s|@INCLUDEDIR@|$(INCLUDEDIR)|' \
	    libvirt.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/libvirt.pc
	sed -e 's|@OXVIRT_LIBDIR@|$(OXVIRT_LIBDIR)|' scripts/oxvirt-run.in > $(DESTDIR)$(BINDIR)/oxvirt-run
	chmod 0755 $(DESTDIR)$(BINDIR)/oxvirt-run

uninstall:
	rm -f $(DESTDIR)$(OXVIRT_LIBDIR)/libvirt.so.$(VERSION) $(DESTDIR)$(OXVIRT_LIBDIR)/$(SONAME) \
	    $(DESTDIR)$(OXVIRT_LIBDIR)/libvirt.so $(DESTDIR)$(LIBDIR)/pkgconfig/libvirt.pc \
	    $(DESTDIR)$(BINDIR)/oxvirt-run \
	    $(DESTDIR)$(OXVIRT_LIBDIR)/libvirt-qemu.so.$(VERSION) $(DESTDIR)$(OXVIRT_LIBDIR)/libvirt-qemu.so.0 \
	    $(DESTDIR)$(OXVIRT_LIBDIR)/libvirt-lxc.so.$(VERSION) $(DESTDIR)$(OXVIRT_LIBDIR)/libvirt-lxc.so.0 \
	    $(DESTDIR)$(OXVIRT_LIBDIR)/libvirt-admin.so.$(VERSION) $(DESTDIR)$(OXVIRT_LIBDIR)/libvirt-admin.so.0
	cd include/libvirt && for h in *.h; do rm -f $(DESTDIR)$(INCLUDEDIR)/libvirt/$$h; done
	-rmdir $(DESTDIR)$(LIBDIR)/oxvirt $(DESTDIR)$(INCLUDEDIR)/libvirt 2>/dev/null

clean:
	$(CARGO) clean
	rm -rf build

FORCE:
