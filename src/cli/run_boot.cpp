#include "run_boot.hpp"

#include "commands.hpp"
#include "std_streams.hpp"

#include "builtin_steps.hpp"
#include "pxos/abi/boot_header.hpp"
#include "pxos/asm/assembler.hpp"
#include "pxos/asm/program_file.hpp"
#include "pxos/image/png_io.hpp"
#include "pxos/roadmap/build.hpp"
#include "pxos/roadmap/roadmap.hpp"

#include <algorithm>
#include <array>
#include <filesystem>
#include <fmt/format.h>
#include <system_error>

#ifndef PXOS_SOURCE_DIR
#define PXOS_SOURCE_DIR ""
#endif

namespace pxos::cli {

namespace {

constexpr std::string_view kDefaultRoadmap = "ROADMAP_VRAM_OS.yaml";
constexpr std::string_view kAddProcess = "add_process";
constexpr std::array<std::uint8_t, 8> kPngSignature { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

bool starts_with_png_signature(std::span<const std::uint8_t> bytes)
{
    return bytes.size() >= kPngSignature.size() && std::equal(kPngSignature.begin(), kPngSignature.end(), bytes.begin());
}

Result<std::string> find_default_roadmap()
{
    std::vector<std::string> tried;
    for (const std::string& folder : roadmap_folders()) {
        std::string path = (std::filesystem::path(folder) / kDefaultRoadmap).string();
        if (host_files().kind_of(path) == FileKind::Regular)
            return path;
        tried.push_back(path);
    }
    std::string list;
    for (const std::string& path : tried)
        list += (list.empty() ? "" : ", ") + path;
    return Error::io(std::string(kDefaultRoadmap),
        fmt::format("not found (looked at {}): a program runs under the default roadmap's kernel", list));
}

// How the program is given to add_process.
struct ProgramParam {
    std::string name;  // program_file or program_source
    std::string value; // a path, or pxasm text
};

// A program file as pxasm add_process assembles where it places the
// process: each word as it is, a relocated word as `__program_base + offset`
// (what the kernel's loader adds), `main` at the entry.
std::string program_file_source(const ProgramFile& file, const std::string& name)
{
    std::string text = fmt::format("; {}: a program file ({} code words, entry {}, {} relocations)\n__program_base:\n",
        name, file.code.size(), file.entry, file.relocations.size());
    std::size_t next_relocation = 0;
    for (std::size_t i = 0; i < file.code.size(); ++i) {
        if (i == file.entry)
            text += "main:\n";
        bool relocated = next_relocation < file.relocations.size() && file.relocations[next_relocation] == i;
        if (relocated) {
            ++next_relocation;
            text += fmt::format("    .word __program_base + {:#x}\n", file.code[i]);
        } else {
            text += fmt::format("    .word {:#010x}\n", file.code[i]);
        }
    }
    return text;
}

// The image plain `pxos asm` writes holds the program assembled for address
// 0: its source map names the source, which assembles again (checked
// against the pixels) where add_process places it.
Result<ProgramParam> plain_program_image(const SimulatedVRAM& image, const std::string& path, const CapValues& caps,
    const Error& not_bootable)
{
    auto map = load_source_map(host_files(), "", path);
    if (!map || !*map || (*map)->files().empty())
        return not_bootable;
    std::string source = (*map)->files().front();
    AssembleOptions options;
    options.limits = CodeLimits::from_caps(caps);
    options.files = &host_files();
    options.vram_width = image.width();
    options.vram_height = image.height();
    auto program = assemble_file(source, options);
    bool same = program.ok();
    std::uint64_t words = image.pixel_count();
    std::vector<bool> covered(same ? words : 0);
    if (same)
        for (const AssembledWord& word : program->words) {
            if (word.address >= words || image.words()[word.address] != word.word) {
                same = false;
                break;
            }
            covered[word.address] = true;
        }
    for (std::uint64_t address = 0; same && address < words; ++address)
        if (!covered[address] && image.words()[address] != 0)
            same = false;
    if (!same)
        return Error::bad_input(path,
            fmt::format("not a bootable image, and not what its source {} assembles to now (changed since, or "
                        "assembled with --origin): run the source itself (pxos run {})",
                source, source));
    return ProgramParam { "program_file", host_files().absolute_path(source) };
}

// The program at `path` (`-`: stdin) as add_process's parameter; nullopt for a PNG that boots as it is.
Result<std::optional<ProgramParam>> program_param(const std::string& path, const std::string& name,
    const std::vector<std::uint8_t>& bytes, const SimulatedVRAM* image, const CapValues& caps)
{
    if (has_program_magic(bytes)) {
        auto words = bytes_to_words(bytes, name);
        if (!words)
            return std::move(words).error();
        auto file = read_program_file(*words, name);
        if (!file)
            return std::move(file).error();
        return std::optional(ProgramParam { "program_source", program_file_source(*file, name) });
    }
    if (!image) { // pxasm
        if (is_std_stream(path))
            return std::optional(ProgramParam { "program_source", std::string(bytes.begin(), bytes.end()) });
        return std::optional(ProgramParam { "program_file", host_files().absolute_path(path) });
    }
    auto header = read_header(*image, name);
    if (header)
        return std::optional<ProgramParam>();
    // An image with the header's magic is an OS image, however broken its header.
    const bool has_magic = image->width() > int(isa::HeaderField::Magic) && image->height() > isa::kHeaderRow
        && image->words()[std::size_t(isa::kHeaderRow) * std::size_t(image->width()) + std::size_t(isa::HeaderField::Magic)]
            == isa::kMagic;
    if (is_std_stream(path) || has_magic)
        return std::move(header).error();
    auto plain = plain_program_image(*image, path, caps, header.error());
    if (!plain)
        return std::move(plain).error();
    return std::optional(*plain);
}

// The default roadmap less its processes, plus the program's add_process.
Result<BootableImage> build_program_image(const ProgramParam& program, const std::string& name, const CapValues& caps)
{
    auto roadmap_path = find_default_roadmap();
    if (!roadmap_path)
        return std::move(roadmap_path).error();
    const StepRegistry& registry = steps::builtin_registry();
    auto roadmap = load_roadmap(host_files(), *roadmap_path, registry, RoadmapLimits::from_caps(caps));
    if (!roadmap)
        return std::move(roadmap).error();
    std::erase_if(roadmap->steps, [](const StepCall& call) { return call.definition->name == kAddProcess; });
    StepCall call;
    call.definition = registry.find(kAddProcess);
    call.label = std::filesystem::path(name).filename().string();
    call.params.emplace_back(program.name, program.value);
    call.location.file = name;
    roadmap->steps.push_back(std::move(call));
    const std::size_t program_step = roadmap->steps.size();

    BuildOptions options;
    options.limits = VRAMLimits::from_caps(caps);
    options.code_limits = CodeLimits::from_caps(caps);
    options.files = &host_files();
    auto built = build_roadmap(*roadmap, options);
    if (!built) {
        // The program's own errors read as `pxos asm` prints them (file:line:col: message).
        std::string prefix = fmt::format("step {} '{}': ", program_step, roadmap->steps.back().label);
        // add_process was given the file's absolute path (the roadmap's
        // folder is not the working one): the place names it as given.
        std::vector<Diagnostic> diagnostics = built.error().diagnostics();
        for (Diagnostic& diagnostic : diagnostics) {
            if (diagnostic.message.rfind(prefix, 0) == 0)
                diagnostic.message.erase(0, prefix.size());
            if (program.name == "program_file" && diagnostic.location.file == program.value) {
                diagnostic.location.file = name;
                diagnostic.where = diagnostic.location.to_string();
            }
        }
        return Error(built.error().kind(), std::move(diagnostics));
    }
    if (program.name == "program_file")
        built->source_map.rename_file(program.value, name);
    return BootableImage { std::move(built->vram), name, std::move(built->source_map), true };
}

} // namespace

std::vector<std::string> roadmap_folders()
{
    std::vector<std::string> folders;
    std::error_code error;
    std::filesystem::path binary = std::filesystem::read_symlink("/proc/self/exe", error);
    if (!error)
        folders.push_back((binary.parent_path().parent_path() / "share" / "pxos" / "roadmaps").lexically_normal().string());
    if (std::string_view(PXOS_SOURCE_DIR).size())
        folders.push_back((std::filesystem::path(PXOS_SOURCE_DIR) / "roadmaps").string());
    return folders;
}

Result<BootableImage> load_bootable(const std::string& path, const CapValues& caps)
{
    const std::string name = is_std_stream(path) ? std::string("stdin") : path;
    const bool pxasm_name = std::filesystem::path(path).extension() == ".pxasm";
    auto bytes = host_files().read_file_bytes(path, caps.get(pxasm_name ? Cap::SourceFile : Cap::PngFile),
        pxasm_name ? Cap::SourceFile : Cap::PngFile);
    if (!bytes)
        return std::move(bytes).error();
    std::optional<SimulatedVRAM> image;
    if (!pxasm_name && !has_program_magic(*bytes)) {
        // Not a PNG from stdin: pxasm text. A file must be a PNG (or named .pxasm).
        if (starts_with_png_signature(*bytes) || !is_std_stream(path)) {
            auto decoded = decode_png(*bytes, name, PngLimits::from_caps(caps));
            if (!decoded)
                return std::move(decoded).error();
            image = std::move(*decoded);
        }
    }
    auto program = program_param(path, name, *bytes, image ? &*image : nullptr, caps);
    if (!program)
        return std::move(program).error();
    if (!*program)
        return BootableImage { std::move(*image), name, std::nullopt, false };
    return build_program_image(**program, name, caps);
}

} // namespace pxos::cli
