// The fuzz harnesses, one function per target. The libFuzzer targets
// (fuzz_*.cpp, built with -DPXOS_FUZZ=ON under clang) call them, and so
// does tests/fuzz_regression_test.cpp on every corpus seed and every input
// a fuzzer once crashed on (tests/inputs/malformed/fuzz/TARGET/), so those
// stay fixed in the ordinary (and the sanitizer) test runs.
#pragma once

#include "base/json_writer.hpp"
#include "builtin_steps.hpp"
#include "syscalls.hpp"
#include "pxos/asm/assembler.hpp"
#include "pxos/base/memory_file_system.hpp"
#include "pxos/roadmap/build.hpp"
#include "pxos/vm/machine.hpp"
#include "pxos/image/png_io.hpp"
#include "pxos/loop/proposer.hpp"
#include "pxos/loop/reply.hpp"
#include "pxos/loop/sources.hpp"
#include "pxos/roadmap/provenance.hpp"
#include "pxos/roadmap/roadmap.hpp"
#include "pxos/base/text.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace pxos::fuzz {

// The PNG loader: chunk walk, CRCs, zlib header, inflate, Adler-32, filters, palette indices.
inline void png(const std::uint8_t* data, std::size_t size)
{
    (void)decode_png({ data, size }, "fuzz.png");
}

// The LLM reply parser: <think> blocks, fenced blocks, SEARCH/REPLACE
// patches on the base's sources, whole roadmaps and edit lists applied to a
// base roadmap, then the proposal's validation.
inline void reply(std::string_view text)
{
    static const Roadmap base = parse_roadmap("steps:\n  - step: init_background\n  - step: layout_regions\n"
                                              "  - step: write_isa_palette\n  - step: add_process\n"
                                              "    params: {program_source: \"main:\\n    LI r1, 0\\n    SYSCALL SYS_EXIT\\n\"}\n",
        "base.yaml", steps::builtin_registry())
                                    .value();
    static MemoryFileSystem nothing_on_disk; // the files a reply names are never there
    static const std::vector<RoadmapSource> sources = roadmap_sources(base, nothing_on_disk).value();
    ReplyContext context { &base, &sources, &steps::builtin_registry(), &nothing_on_disk, "/nonexistent-pxos-fuzz", {} };
    auto roadmap = parse_reply(text, context);
    if (!roadmap)
        return;
    auto validated = parse_roadmap(roadmap->text, "reply", steps::builtin_registry());
    if (!validated)
        return;
    // Inline pxasm in the reply goes through the assembler, as a build would
    // (deep nesting, includes; nothing is read from disk).
    AssembleOptions options;
    options.read_include = [](const std::string& path) -> Result<std::string> {
        return Error::bad_input(path, "includes are off while fuzzing");
    };
    options.limits.max_words = 1 << 16;
    for (const StepCall& call : validated->steps)
        for (const auto& [name, value] : call.params)
            if (name.size() > 7 && name.compare(name.size() - 7, 7, "_source") == 0)
                if (const auto* source = std::get_if<std::string>(&value))
                    (void)assemble(*source, "reply.yaml(" + name + ")", options);
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

// The pxasm assembler. Nothing is read from disk: every include reads the
// input itself, so an input can include itself (cycles, fan-out, the caps).
inline void pxasm(const std::uint8_t* data, std::size_t size)
{
    std::string_view source(reinterpret_cast<const char*>(data), size);
    AssembleOptions options;
    options.read_include = [source](const std::string&) -> Result<std::string> { return std::string(source); };
    options.limits.max_words = 1 << 16;
    options.limits.max_includes = 64;
    (void)assemble(source, "fuzz.pxasm", options);
}

// The provenance file reader.
inline void provenance(const std::uint8_t* data, std::size_t size)
{
    (void)ProvenanceLog::from_bytes({ data, size }, "fuzz.pxprov");
}

// The machine: the input patches words of a bootable image (kernel,
// process, header, palette) as little-endian (address, word) pairs; the
// image boots and runs for kMachineSteps steps. A guest may fault or panic;
// the host must not. (tests/vm/differential_test.cpp runs the same images
// on the reference interpreter too.)
inline constexpr std::uint64_t kMachineSteps = 20000;

inline SimulatedVRAM machine_image(const std::uint8_t* data, std::size_t size)
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
    return image;
}

// Then the same input drives the system calls 11..24 on random arguments
// (syscalls.hpp): there the kernel must not panic, so a panic aborts (the
// call and its arguments on stderr).
inline void machine(const std::uint8_t* data, std::size_t size)
{
    if (auto booted = Machine::boot(machine_image(data, size), "fuzz.png"))
        (void)(*booted)->run(kMachineSteps);
    SyscallRun run = run_syscalls(data, size);
    if (run.result.reason == StopReason::KernelPanic) {
        std::fprintf(stderr, "kernel panic in system call %u (block %d) with r1=0x%08x r2=0x%08x r3=0x%08x\n",
            run.last_call, run.last_block, run.last_arguments[0], run.last_arguments[1], run.last_arguments[2]);
        std::abort();
    }
}

// The JSON writer and the terminal escaping, on arbitrary bytes: the input
// is split (at its first byte) into a key and a string value. The writer
// must not throw, its output must parse back with nlohmann, valid UTF-8
// must come back exactly and invalid bytes through restore_invalid_utf8;
// escaped terminal text must hold no control character and be valid UTF-8,
// the same whether it is fed whole or a byte at a time.
inline void json(const std::uint8_t* data, std::size_t size)
{
    auto require = [](bool condition) {
        if (!condition)
            std::abort();
    };
    std::string_view input(reinterpret_cast<const char*>(data), size);
    std::size_t split = size ? std::size_t(data[0]) % size : 0;
    std::string key(input.substr(0, split)), text(input.substr(split));
    nlohmann::ordered_json value;
    value[key] = text;
    value["list"] = nlohmann::ordered_json::array({ text, key });
    for (JsonLayout layout : { JsonLayout::Compact, JsonLayout::Indented }) {
        std::string written = write_json(value, layout);
        require(is_valid_utf8(written));
        auto parsed = nlohmann::ordered_json::parse(written, nullptr, false);
        require(!parsed.is_discarded());
        std::string back = parsed.at("list").at(0).get<std::string>();
        if (is_valid_utf8(text))
            require(back == text);
        else if (restore_invalid_utf8(text) == text) // no private-use U+EF80..U+EFFF of its own
            require(restore_invalid_utf8(back) == text);
    }
    for (TerminalLayout layout : { TerminalLayout::OneLine, TerminalLayout::KeepLines, TerminalLayout::Console }) {
        std::string shown = escape_for_terminal(input, layout);
        require(is_valid_utf8(shown));
        for (char c : shown)
            require(std::uint8_t(c) >= 0x20 ? c != 0x7f
                                            : c == '\t' || (layout != TerminalLayout::OneLine && (c == '\n' || c == '\r'))
                    || (layout == TerminalLayout::Console && c == '\b'));
        TerminalEscaper escaper(layout);
        std::string streamed;
        for (char c : input)
            streamed += escaper.feed(std::string_view(&c, 1));
        require(streamed + escaper.finish() == shown);
    }
}

} // namespace pxos::fuzz
