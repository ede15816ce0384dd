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

.PHONY: all lib headers generate check test ctests demo bench install clean

all: lib

lib: $(OUT)/$(SONAME)

$(STATICLIB): FORCE
	$(CARGO) build --$(PROFILE) --lib

$(OUT)/$(SONAME): $(STATICLIB) link/libvirt.map
	@mkdir -p $(OUT)
	$(CC) -shared -o $(OUT)/libvirt.so.$(VERSION) \
	    -Wl,--whole-archive $(STATICLIB) -Wl,--no-whole-archive \
	    -Wl,--version-script=link/libvirt.map -Wl,-soname,$(SONAME) \
	    -Wl,-z,defs -Wl,--gc-sections -lpthread -ldl -lm -lc -lgcc_s
	ln -sf libvirt.so.$(VERSION) $(OUT)/$(SONAME)
	ln -sf $(SONAME) $(OUT)/libvirt.so

# Regenerate the checked-in tables from Debian's libvirt-api.xml, then the headers.
generate:
	python3 gen/generate.py
	OXVIRT_WRITE_HEADERS=1 $(CARGO) build --$(PROFILE) --lib

headers:
	OXVIRT_WRITE_HEADERS=1 $(CARGO) build --$(PROFILE) --lib

# Every test: Rust unit and integration tests, the generated-output and header checks, the
# exported-symbol check and the C harness (differential against Debian's libvirt when present).
check: lib
	bash tests/run-all.sh

test: check

ctests: lib
	bash c-tests/run.sh

demo: lib
	bash examples/demo.sh

bench: lib
	bash benches/run.sh

install: lib
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR)/libvirt $(DESTDIR)$(LIBDIR)/pkgconfig
	install -m 0755 $(OUT)/libvirt.so.$(VERSION) $(DESTDIR)$(LIBDIR)/
	ln -sf libvirt.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libvirt.so
	install -m 0644 include/libvirt/*.h $(DESTDIR)$(INCLUDEDIR)/libvirt/
	sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(LIBDIR)|; s|@INCLUDEDIR@|$(INCLUDEDIR)|' \
	    libvirt.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/libvirt.pc

clean:
	$(CARGO) clean
	rm -rf build

FORCE:
