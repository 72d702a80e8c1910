// The fuzz harnesses, one function per target. The libFuzzer targets
// (fuzz_*.cpp, built with -DPXOS_FUZZ=ON under clang) call them, and so
// does tests/fuzz_regression_test.cpp on every corpus seed and every input
// a fuzzer once crashed on (tests/inputs/malformed/fuzz/TARGET/), so those
// stay fixed in the ordinary (and the sanitizer) test runs.
#pragma once

#include "builtin_steps.hpp"
#include "pxos/assembler.hpp"
#include "pxos/build.hpp"
#include "pxos/machine.hpp"
#include "pxos/png_io.hpp"
#include "pxos/proposer.hpp"
#include "pxos/provenance.hpp"
#include "pxos/roadmap.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace pxos::fuzz {

// The PNG loader: chunk walk, CRCs, zlib header, inflate, Adler-32, filters, palette indices.
inline void png(const std::uint8_t* data, std::size_t size)
{
    (void)decode_png({ data, size }, "fuzz.png");
}

// The LLM reply parser: <think> blocks, fenced blocks, whole roadmaps and
// edit lists applied to a base roadmap, then the proposal's validation.
inline void reply(std::string_view text)
{
    static const Roadmap base = parse_roadmap("steps:\n  - step: init_background\n  - step: layout_regions\n"
                                              "  - step: write_isa_palette\n",
        "base.yaml", steps::builtin_registry())
                                    .value();
    if (auto proposed = roadmap_text_from_reply(text, base))
        (void)validate_proposal(*proposed, "reply.yaml", "/nonexistent-pxos-fuzz", steps::builtin_registry(), RoadmapLimits {});
}

inline void reply(const std::uint8_t* data, std::size_t size)
{
    reply(std::string_view(reinterpret_cast<const char*>(data), size));
}

// The roadmap loader and validator, and the reply parser on the same text.
inline void roadmap(const std::uint8_t* data, std::size_t size)
{
    std::string_view text(reinterpret_cast<const char*>(data), size);
    (void)parse_roadmap(text, "fuzz.yaml", steps::builtin_registry());
    reply(text);
}

// The pxasm assembler; includes are refused (nothing is read from disk).
inline void pxasm(const std::uint8_t* data, std::size_t size)
{
    AssembleOptions options;
    options.read_include = [](const std::string& path) -> Result<std::string> {
        return Error::bad_input(path, "includes are off while fuzzing");
    };
    options.limits.max_words = 1 << 16;
    (void)assemble(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.pxasm", options);
}

// The provenance file reader.
inline void provenance(const std::uint8_t* data, std::size_t size)
{
    (void)ProvenanceLog::from_bytes({ data, size }, "fuzz.pxprov");
}

// The machine: the input patches words of a bootable image (kernel,
// process, header, palette) as little-endian (address, word) pairs; the
// image boots and runs for 20,000 steps. A guest may fault or panic; the
// host must not.
inline void machine(const std::uint8_t* data, std::size_t size)
{
    static const SimulatedVRAM base = [] {
        auto parsed = parse_roadmap("steps:\n  - step: init_background\n  - step: layout_regions\n"
                                    "  - step: write_isa_palette\n  - step: install_kernel\n"
                                    "  - step: add_process\n    params: {program_file: builtin:hello.pxasm}\n",
            "fuzz.yaml", steps::builtin_registry());
        return std::move(build_roadmap(parsed.value()).value().vram);
    }();
    SimulatedVRAM image = base;
    std::uint32_t* words = image.mutable_words();
    std::size_t count = image.byte_size() / 4;
    for (std::size_t at = 0; at + 8 <= size; at += 8) {
        std::uint32_t address = 0, word = 0;
        std::memcpy(&address, data + at, 4);
        std::memcpy(&word, data + at + 4, 4);
        words[address % count] = word;
    }
    if (auto booted = Machine::boot(std::move(image), "fuzz.png"))
        (void)(*booted)->run(20000);
}

} // namespace pxos::fuzz
