# edgeinfer: build, test, cross-compile and demo. See README.md.
#
#   make run     build, fetch a face-detection model and a photo, start the agent,
#                find the faces through its socket, stop it
#   make test    go vet, gofmt, staticcheck, go test, every fuzz target for a few
#                seconds, arm64/armv7 tests under qemu; unit tests run with -race
#                and go.mod must be tidy
#                (make vet, fmt, staticcheck, unit, fuzz, qemu run one step)
#   make build   bin/edgeinfer for this machine
#   make cross   static binaries for every release target into dist/
#   make deb     Debian packages (static binary + systemd unit) for every release target into dist/
#   make bench   Go benchmarks of the engine
#   make bench-peers  edgeinfer beside the real TFLite (needs npm)
#   make bench-agent  the agent through its socket: overhead, cache, throughput, memory
#   make clean   remove bin/, dist/ and the download cache

GO          ?= go
VERSION     ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS     := -s -w -X main.version=$(VERSION)
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

# Downloads made by `make run` live here (gitignored).
CACHE := .cache

# The demo model: MediaPipe's short-range face detector (Apache-2.0), from
# the npm package that ships it, checked against its known digest.
FACE_PKG    := @mediapipe/face_detection@0.4.1657300184
FACE_SHA256 := 3bc182eb9f33925d9e58b5c8d59308a760f4adea8f282370e428c51212c26633
FACE_MODEL  := $(CACHE)/models/face_detection_short_range.tflite

# The demo photo: NASA's public-domain portrait of astronaut Eileen Collins,
# shipped by Debian's python3-skimage package as skimage/data/astronaut.png.
# Override with IMAGE=your.png (or .jpg, .bmp).
ASTRONAUT   := $(CACHE)/images/astronaut.png
IMAGE       ?= $(ASTRONAUT)
RUN_DIR     := $(CACHE)/run
# The agent's configuration of the face detector (it has no metadata):
# its media options; its labels file sits next to the model.
FACE_CONFIG := docs/examples/face.yaml
FACE_LABELS := $(CACHE)/models/face_labels.txt

.PHONY: all build test vet fmt staticcheck unit fuzz conformance qemu cross deb bench bench-peers bench-agent run clean

all: build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/edgeinfer ./cmd/edgeinfer
	@ls -l bin/edgeinfer | awk '{printf "bin/edgeinfer: %.2f MiB\n", $$5/1048576}'

# Every step runs even when an earlier one fails, so one run shows every
# problem; the summary line names the steps that failed.
TEST_STEPS := vet fmt staticcheck unit fuzz conformance qemu

test:
	@failed=; for step in $(TEST_STEPS); do \
		echo "==> make $$step"; \
		$(MAKE) --no-print-directory $$step || failed="$$failed $$step"; \
	done; \
	if [ -n "$$failed" ]; then echo "make test: FAILED:$$failed"; exit 1; fi; \
	echo "make test: all steps passed ($(TEST_STEPS))"

vet:
	$(GO) vet ./...
	GOARCH=arm64 $(GO) vet ./...
	GOARCH=arm GOARM=7 $(GO) vet ./...
	$(GO) vet -tags noota,nohub ./...
	$(GO) vet -tags purego ./...

fmt:
	@files=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.cache/*')); \
	if [ -n "$$files" ]; then echo "gofmt -w needed on:"; echo "$$files"; exit 1; fi

staticcheck:
	$(GO) run $(STATICCHECK) ./...

# The unit tests run under the race detector. runtime/tflite's long tables
# (every unit model, every conformance case) run once with -race -short and
# once in full without it (the race detector slows the kernels about
# tenfold; -short still runs every operator and the thread pool);
# TestConformance in full is the conformance step's. cross (build tooling
# whose tests spend their time in child go builds and dpkg-deb) runs
# without the race detector. go.mod and go.sum must be tidy.
unit:
	$(GO) mod tidy -diff
	$(GO) test -race $$($(GO) list ./... | grep -v -e '/runtime/tflite$$' -e '/cross$$')
	$(GO) test ./cross
	$(GO) test -race -short ./runtime/tflite
	$(GO) test -skip '^TestConformance$$' ./runtime/tflite

# Every fuzz target (each func FuzzX in a tracked _test.go file, found
# anew each run) fuzzes for FUZZTIME from its seeds and the corpus so far
# (-short: small seeds only, so the seconds go to mutating): a bounds check
# that only a unit test covers is found here within seconds (a vector
# length left unchecked in runtime/tflite's reader: about 2 s). A crasher is written to the package's testdata/fuzz/FuzzX/;
# fix the bug and commit the file so that go test replays it. A run that
# fails with "context deadline exceeded" and writes no failing input (go's
# fuzzer sometimes stops a worker mid-input when the time is up) runs once
# more; a second failure counts.
FUZZTIME ?= 3s
fuzz:
	@failed=; log=$$(mktemp); \
	for file in $$(git ls-files '*_test.go' | xargs grep -l '^func Fuzz'); do \
		dir=./$$(dirname $$file); \
		for name in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' $$file); do \
			echo "fuzz $$dir $$name for $(FUZZTIME)"; \
			if ! $(GO) test -short -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 5s $$dir > $$log 2>&1 && \
				! { grep -q 'context deadline exceeded' $$log && ! grep -q 'Failing input written' $$log && \
					echo "fuzz $$dir $$name: go's fuzzer ran out of time without a failing input (a known flake); once more" && \
					$(GO) test -short -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 5s $$dir > $$log 2>&1; }; then \
				grep -v '^fuzz: elapsed' $$log; failed="$$failed $$dir:$$name"; \
			fi; \
		done; \
	done; rm -f $$log; \
	if [ -n "$$failed" ]; then echo "fuzz: FAILED:$$failed"; exit 1; fi

# The conformance table (model, cases passed, largest difference from the
# real TFLite): go test hides a passing test's output, so show it here.
conformance:
	@log=$$(mktemp); $(GO) test -count=1 -run '^TestConformance$$' -v ./runtime/tflite > $$log 2>&1; \
	status=$$?; sed -n '/^conformance summary (model/,/^---/p' $$log; \
	[ $$status -eq 0 ] || cat $$log; rm -f $$log; exit $$status

# The engine's tests on arm64 and armv7 under qemu user-mode emulation
# (natively on a machine of that architecture). -short: slow tests may
# shorten themselves under emulation. Both architectures run side by side,
# and runtime/tflite alone takes about 5 minutes under emulation (arm64,
# 2-core amd64 VM), so go test's 10-minute default is too tight on a busy
# machine.
# Then the arm64 kernels' variant tests once more as the Raspberry Pi 4's
# CPU (Cortex-A72: no dot product, so the SMULL GEMM) and the Pi 5's (A76:
# SDOT) offer them; qemu's default CPU offers every extension.
qemu:
	$(GO) run ./cross/cmd/cross test -short ./runtime/... -timeout 30m
	@if [ "$$($(GO) env GOHOSTARCH)" != arm64 ]; then \
		for cpu in cortex-a72 cortex-a76; do \
			echo "=== arm64 kernels as $$cpu: QEMU_CPU=$$cpu go test -run Variants ./runtime/kernels"; \
			QEMU_CPU=$$cpu GOARCH=arm64 $(GO) test -exec qemu-aarch64-static -short -count=1 -run Variants ./runtime/kernels || exit 1; \
		done; \
	fi

cross:
	$(GO) run ./cross/cmd/cross build -o dist -ldflags '$(LDFLAGS)' ./cmd/edgeinfer

# dist/edgeinfer_VERSION_ARCH.deb for amd64, arm64, armhf (armv7), armel
# (armv6) and riscv64; files dated $(SOURCE_DATE_EPOCH) or the last commit.
deb:
	$(GO) run ./cross/cmd/cross deb -out dist -version '$(VERSION)' -ldflags '$(LDFLAGS)'

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./runtime/...

# edgeinfer beside the real TFLite (LiteRT WebAssembly) on the models of the
# speed issue (issue 12) at BENCH_THREADS threads, with ratios against
# native LiteRT+XNNPACK: timed in the same run when NATIVE names its
# benchmark_model (built outside this repository), else the medians measured
# on the 2-vCPU EPYC VM. TFLITE_REF=DIR reuses a set-up tools/tflite-ref.
TFLITE_REF    ?=
NATIVE        ?=
BENCH_THREADS ?= 1
bench-peers: build
	$(GO) run ./cmd/benchpeers -edgeinfer bin/edgeinfer -threads $(BENCH_THREADS) $(if $(TFLITE_REF),-ref $(TFLITE_REF)) $(if $(NATIVE),-native $(NATIVE))

# The agent as a local app sees it: socket overhead, cache hits and writes,
# throughput with 1/4/16 clients (batching off and on), idle memory.
bench-agent: build
	$(GO) run ./cmd/agentbench -bin bin/edgeinfer

run: build $(FACE_MODEL) $(FACE_LABELS) $(IMAGE)
	@rm -rf $(RUN_DIR) && mkdir -p $(RUN_DIR)
	@echo "==> starting the agent on $(RUN_DIR)/agent.sock with the face detector ($(FACE_CONFIG))"
	@bin/edgeinfer agent --config $(FACE_CONFIG) --socket $(RUN_DIR)/agent.sock --data-dir $(RUN_DIR)/data \
		--model face=$(FACE_MODEL) --log-level warn & pid=$$!; \
	trap 'kill $$pid 2>/dev/null; wait $$pid' EXIT; \
	for i in $$(seq 100); do bin/edgeinfer models --socket $(RUN_DIR)/agent.sock >/dev/null 2>&1 && break; \
		kill -0 $$pid 2>/dev/null || { echo "the agent exited" >&2; exit 1; }; sleep 0.1; done; \
	bin/edgeinfer models --socket $(RUN_DIR)/agent.sock && \
	echo "==> sending the photo through the socket: the agent prepares it and finds the faces" && \
	bin/edgeinfer infer face --socket $(RUN_DIR)/agent.sock --image $(IMAGE) && \
	echo "==> stopping the agent"

$(FACE_LABELS):
	@mkdir -p $(dir $@)
	echo face > $@

$(FACE_MODEL):
	@command -v npm >/dev/null || { echo "make run needs npm to fetch the model (Debian: apt-get install npm)" >&2; exit 1; }
	@mkdir -p $(CACHE)/models
	@echo "==> fetching $(FACE_PKG) from the npm registry"
	cd $(CACHE)/models && npm pack --silent $(FACE_PKG) > tarball.name
	tar -xzf $(CACHE)/models/$$(cat $(CACHE)/models/tarball.name) -O package/face_detection_short_range.tflite > $@.tmp
	@echo "$(FACE_SHA256)  $@.tmp" | sha256sum -c --quiet - || { echo "$@: unexpected sha256; $(FACE_PKG) changed?" >&2; exit 1; }
	mv $@.tmp $@
	rm -f $(CACHE)/models/*.tgz $(CACHE)/models/tarball.name

$(ASTRONAUT):
	@command -v apt-get >/dev/null || { echo "make run fetches its photo with apt-get; without Debian's apt use IMAGE=your.png" >&2; exit 1; }
	@mkdir -p $(CACHE)/images
	@echo "==> fetching the astronaut photo from Debian's python3-skimage package"
	cd $(CACHE)/images && { apt-get download -qq python3-skimage 2>/dev/null || \
		{ [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get download -qq python3-skimage 2>/dev/null; } || \
		{ echo "apt-get download python3-skimage failed: run apt-get update, or use IMAGE=your.png" >&2; exit 1; }; }
	dpkg-deb --fsys-tarfile $$(ls $(CACHE)/images/python3-skimage_*.deb | head -1) | \
		tar -xO ./usr/lib/python3/dist-packages/skimage/data/astronaut.png > $@.tmp
	mv $@.tmp $@
	rm -f $(CACHE)/images/python3-skimage_*.deb

clean:
	rm -rf bin dist $(CACHE)
