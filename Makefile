# A thin wrapper over CMake + Ninja. `make demo` and `make test` install any
# missing Debian packages first (scripts/setup.sh), then configure and build.
# Plain `cmake -B build && cmake --build build && ctest --test-dir build`
# works too once the packages are there.

JOBS    ?= 2
BUILD   ?= build
RELEASE ?= build-release
PXOS    := $(RELEASE)/pxos

.PHONY: all setup build release install demo test test-core test-sanitize fuzz bench bench-generation clean

all: build

setup:
	@sh scripts/setup.sh

# Debug build with the test suite.
build: setup
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# Optimised binary (and benchmarks), no tests.
release: setup
	@cmake -S . -B $(RELEASE) -G Ninja -DCMAKE_BUILD_TYPE=Release -DPXOS_BUILD_TESTS=OFF >/dev/null
	@cmake --build $(RELEASE) -j $(JOBS)

# Installs the binary, its manual page, the bash/zsh/fish completions and the
# roadmaps under PREFIX: PREFIX/bin/pxos, PREFIX/share/man/man1/pxos.1, ...
PREFIX ?= /usr/local
install: release
	@cmake --install $(RELEASE) --prefix "$(PREFIX)"

# The main job: build the default roadmap into a bootable image, score it, boot it
# (the old demo, then a scripted shell session typed at its console).
demo: release
	$(PXOS) build roadmaps/ROADMAP_VRAM_OS.yaml --report artifacts/ROADMAP_VRAM_OS.build.json
	$(PXOS) eval artifacts/vram_os.png artifacts/vram_os.eval.json --min-score 100%
	$(PXOS) run artifacts/vram_os.png --input roadmaps/demo_session.txt --out artifacts/vram_os.after.png
	@echo "demo: the OS image is artifacts/vram_os.png; after its run (the shell session of roadmaps/demo_session.txt): artifacts/vram_os.after.png"

# The whole test suite.
test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

# The core alone, built with no host (-DPXOS_HOST=none: no src/host/posix,
# no binary), and its pure tests on the in-memory file system.
test-core: setup
	@cmake -S . -B build-core -G Ninja -DCMAKE_BUILD_TYPE=Debug -DPXOS_HOST=none >/dev/null
	@cmake --build build-core -j $(JOBS)
	ctest --test-dir build-core --output-on-failure -j $(JOBS)

# The test suite built with AddressSanitizer + UndefinedBehaviorSanitizer.
test-sanitize: setup
	@cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DPXOS_SANITIZE=ON >/dev/null
	@cmake --build build-asan -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --test-dir build-asan --output-on-failure -j $(JOBS)

# libFuzzer targets (clang, ASan + UBSan), each run for FUZZ_SECONDS on a
# copy of its seed corpus; crashes land in build-fuzz/crashes/TARGET/.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := png roadmap reply pxasm provenance machine json
fuzz:
	@sh scripts/setup.sh fuzz
	@cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 -DPXOS_FUZZ=ON >/dev/null
	@cmake --build build-fuzz -j $(JOBS) $(addprefix --target fuzz_,$(FUZZ_TARGETS))
	@for t in $(FUZZ_TARGETS); do \
	    mkdir -p build-fuzz/corpus/$$t build-fuzz/crashes/$$t; \
	    echo "fuzz_$$t: $(FUZZ_SECONDS) s"; \
	    build-fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
	        -artifact_prefix=build-fuzz/crashes/$$t/ build-fuzz/corpus/$$t tests/fuzz/corpus/$$t 2>build-fuzz/fuzz_$$t.log \
	        || { echo "fuzz_$$t found a crash: see build-fuzz/fuzz_$$t.log and build-fuzz/crashes/$$t/"; exit 1; }; \
	    grep -E "^stat::number_of_executed_units" build-fuzz/fuzz_$$t.log; \
	done

# Release benchmarks: a table of medians (bench/results.json), then the
# callgrind count of host instructions per pxos instruction.
bench: release
	$(RELEASE)/pxos_bench --pxos $(PXOS) --json bench/results.json
	sh bench/callgrind.sh $(PXOS)

# The loop's generation alone (issue 15's 60 ms target): in process, medians.
bench-generation: release
	$(RELEASE)/pxos_bench --only generation

clean:
	rm -rf $(BUILD) $(RELEASE) build-core build-asan build-fuzz
