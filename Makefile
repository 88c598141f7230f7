# skein — see README.md. `make demo` runs the main job on the bundled fixture fleet; `make test`
# runs the test suite. Both install what they need first.
PREFIX ?= /usr/local
SWIFT ?= swift
APT_PACKAGES := libgit2-dev bubblewrap pkg-config git
# The tests also open the status page in headless Chromium.
test: APT_PACKAGES += chromium

.PHONY: deps python-deps build release test demo bench memcheck real-repos install clean

deps:
	@missing=""; \
	for package in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing >/dev/null; \
	fi

# The deploy tests validate deploy/kubernetes/ against the Kubernetes API schema offline with
# PyPI's kubernetes-validate (it carries the schemas). A Debian python that refuses pip's
# installs outside a virtual environment (PEP 668) is told to go ahead.
python-deps:
	@python3 -c 'import kubernetes_validate, yaml' 2>/dev/null || \
	  python3 -m pip install -q kubernetes-validate 2>/dev/null || \
	  python3 -m pip install -q --break-system-packages kubernetes-validate

build: deps
	$(SWIFT) build

# The release binary links the swift-syntax package rather than the toolchain's copy, which is
# built with library evolution: its parser runs about 20 times slower (README).
RELEASE_BUILD = SKEIN_SWIFT_SYNTAX=package $(SWIFT) build -c release --scratch-path .build-release

release: deps
	$(RELEASE_BUILD)

# The config conformance test reads the suites' files with a YAML 1.2 reference reader.
test: deps python-deps
	@python3 -c "import ruamel.yaml" 2>/dev/null || python3 -m pip install -q ruamel.yaml
	$(SWIFT) test

demo: build
	scripts/demo.sh

bench: release
	scripts/bench.sh

# `mirror add` + `mirror sync` in a loop under AddressSanitizer (ITERATIONS=10000 by default).
memcheck: deps
	scripts/memcheck.sh $(ITERATIONS)

real-repos: build
	scripts/real-repos.sh

install: release
	install -D -m 0755 "$$($(RELEASE_BUILD) --show-bin-path)/skein" "$(DESTDIR)$(PREFIX)/bin/skein"
	install -D -m 0755 "$$($(RELEASE_BUILD) --show-bin-path)/skein-index" "$(DESTDIR)$(PREFIX)/bin/skein-index"

clean:
	rm -rf .build .build-release
