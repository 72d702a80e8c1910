// Every cap pxos puts on what it reads and runs, in one table: what the cap
// protects, its default, how far a user may raise it, and the flag that
// does. Messages that refuse something over a cap say so with cap_text(),
// which names the flag; the CLI adds each command's cap flags from this
// table; `pxos limits` and docs/LIMITS.md print it.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace pxos {

enum class Cap {
    VramMemory,     // bytes of one VRAM (an image, a build, a render)
    PngFile,        // bytes of a PNG file
    RoadmapFile,    // bytes of a roadmap (a file or an LLM's proposal)
    RoadmapSteps,   // steps in one roadmap
    SourceFile,     // bytes of a pxasm file (each include too)
    ProgramWords,   // words one assembly emits
    StepBudget,     // instructions of one run
    LlmReply,       // bytes of one LLM reply
    ProvenanceFile, // bytes of a provenance file read by blame
    InputFile,      // bytes of --input (console input) and --commands files
    SourceIncludes, // .include directives followed in one assembly
    AssembledSource, // bytes of pxasm one assembly reads, its includes together
    YamlNodes,      // nodes of a roadmap or reply as its aliases expand it
    YamlBytes,      // scalar bytes of a roadmap or reply as its aliases expand it
    YamlDepth,      // nested lists and maps in a roadmap or reply
    BuildPixels,    // pixels one build writes, all steps together
    FaultRecords,   // faults one run keeps and reports (the rest are counted)
    ConsoleOutput,  // bytes of guest console output one run keeps or prints
    TraceLines,     // lines --trace / --trace-json print
    EvalSeconds,    // wall-clock seconds of evaluating one image (eval, each loop candidate)
};

struct CapInfo {
    Cap cap;
    std::string_view name;  // "roadmap file", used as "the roadmap file cap"
    std::string_view flag;  // "--max-roadmap-mib"
    std::string_view unit;  // what one unit of the flag is: "MiB", "words", "steps"
    std::uint64_t scale;    // bytes or items per unit
    std::uint64_t default_units;
    std::uint64_t max_units; // the most the flag accepts (memory the host can give)
    std::string_view protects; // one line for --help and the docs
};

inline constexpr std::uint64_t kMiB = std::uint64_t(1) << 20;

inline constexpr std::array kCaps {
    CapInfo { Cap::VramMemory, "VRAM memory", "--max-vram-mib", "MiB", kMiB, 256, 1024,
        "memory of one VRAM: an image loaded, built, assembled or rendered (4 bytes a pixel)" },
    CapInfo { Cap::PngFile, "PNG file", "--max-png-mib", "MiB", kMiB, 512, 4096,
        "size of a PNG file read (checked before it is decoded)" },
    CapInfo { Cap::RoadmapFile, "roadmap file", "--max-roadmap-mib", "MiB", kMiB, 1, 64,
        "size of a roadmap file, or of a roadmap an LLM proposed" },
    CapInfo { Cap::RoadmapSteps, "roadmap steps", "--max-roadmap-steps", "steps", 1, 4096, 1'000'000,
        "steps in one roadmap" },
    CapInfo { Cap::SourceFile, "pxasm file", "--max-source-mib", "MiB", kMiB, 4, 256,
        "size of a pxasm file and of each file it includes" },
    CapInfo { Cap::ProgramWords, "program size", "--max-program-words", "words", 1, std::uint64_t(1) << 22,
        std::uint64_t(1) << 28, "words (pixels) one assembly may emit" },
    CapInfo { Cap::StepBudget, "step budget", "--max-steps", "steps", 1, 100'000'000, 1'000'000'000'000,
        "instructions one run may execute (eval and loop: each run of an image, with a smaller default)" },
    CapInfo { Cap::LlmReply, "LLM reply", "--max-reply-mib", "MiB", kMiB, 1, 64,
        "bytes read from one LLM reply; the command is stopped beyond it" },
    CapInfo { Cap::ProvenanceFile, "provenance file", "--max-provenance-mib", "MiB", kMiB, 4096, 16384,
        "size of a provenance file pxos blame reads (into memory)" },
    CapInfo { Cap::InputFile, "input file", "--max-input-mib", "MiB", kMiB, 64, 1024,
        "size of a file given with --input (console input) or --commands (a debugger script)" },
    CapInfo { Cap::SourceIncludes, "pxasm includes", "--max-includes", "includes", 1, 1024, 1'000'000,
        ".include directives one assembly follows, all files together (a file that includes itself twice "
        "would otherwise double at every level)" },
    CapInfo { Cap::AssembledSource, "assembled source", "--max-assembled-source-mib", "MiB", kMiB, 16, 1024,
        "bytes of pxasm one assembly reads: the source and every file it includes, together" },
    CapInfo { Cap::YamlNodes, "YAML nodes", "--max-yaml-nodes", "nodes", 1, 1'000'000, 100'000'000,
        "nodes of a roadmap or LLM reply counted as its aliases expand it (an alias counts its anchor's whole size)" },
    CapInfo { Cap::YamlBytes, "YAML expanded size", "--max-yaml-mib", "MiB", kMiB, 16, 1024,
        "bytes of the strings of a roadmap or LLM reply counted as its aliases expand it" },
    CapInfo { Cap::YamlDepth, "YAML depth", "--max-yaml-depth", "levels", 1, 64, 1000,
        "lists and maps nested in one another in a roadmap or LLM reply (checked while parsing)" },
    CapInfo { Cap::BuildPixels, "build work", "--max-build-pixels", "pixels", 1, std::uint64_t(1) << 29,
        std::uint64_t(1) << 38, "pixels one build writes, all steps together (fills, copies, programs, palettes), "
        "checked before each write" },
    CapInfo { Cap::FaultRecords, "fault records", "--max-fault-records", "faults", 1, 1000, 10'000'000,
        "faults one run keeps and reports; later ones are only counted (\"N more faults\")" },
    CapInfo { Cap::ConsoleOutput, "console output", "--max-console-mib", "MiB", kMiB, 4, 1024,
        "guest console output one run keeps or prints; the rest is counted (\"N more bytes\")" },
    CapInfo { Cap::TraceLines, "trace lines", "--max-trace-lines", "lines", 1, 100'000, 1'000'000'000'000,
        "lines --trace or --trace-json print; then the trace stops and the run goes on untraced" },
    CapInfo { Cap::EvalSeconds, "evaluation time", "--max-eval-seconds", "seconds", 1, 120, 86'400,
        "wall-clock time of evaluating one image (each loop candidate too): past it the image fails the checks "
        "still running, and the loop goes on" },
};

inline constexpr const CapInfo& cap_info(Cap cap) { return kCaps[std::size_t(cap)]; }
inline constexpr std::uint64_t cap_default(Cap cap) { return cap_info(cap).default_units * cap_info(cap).scale; }
inline constexpr std::uint64_t cap_maximum(Cap cap) { return cap_info(cap).max_units * cap_info(cap).scale; }

// "the roadmap file cap of 1 MiB (raise it with --max-roadmap-mib, up to 64 MiB)";
// `limit` is in bytes or items, as the cap counts them.
std::string cap_text(Cap cap, std::uint64_t limit);

// The value of every cap a command was given; defaults from the table.
class CapValues {
public:
    CapValues();
    std::uint64_t get(Cap cap) const { return m_values[std::size_t(cap)]; }
    void set(Cap cap, std::uint64_t value) { m_values[std::size_t(cap)] = value; }

private:
    std::array<std::uint64_t, kCaps.size()> m_values {};
};

} // namespace pxos
