// Pixel code tools: `pxos asm`, `pxos disasm`, `pxos ops`, `pxos abi`.
#include "commands.hpp"
#include "std_streams.hpp"
#include "terminal.hpp"
#include "base/json_writer.hpp"

#include "pxos/abi/boot_header.hpp"
#include "pxos/abi/symbols.hpp"
#include "pxos/asm/assembler.hpp"
#include "pxos/asm/program_file.hpp"
#include "pxos/isa/decoder.hpp"
#include "pxos/host/posix/file_system.hpp"
#include "pxos/isa/isa.hpp"
#include "pxos/image/layout.hpp"
#include "pxos/host/posix/thread_executor.hpp"
#include "pxos/image/png_io.hpp"

#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <optional>

namespace pxos::cli {

namespace {

// "X,Y" -> (x, y); nullopt when malformed.
std::optional<std::pair<int, int>> parse_point(const std::string& text)
{
    auto comma = text.find(',');
    if (comma == std::string::npos)
        return std::nullopt;
    int x = 0, y = 0;
    auto [x_end, x_error] = std::from_chars(text.data(), text.data() + comma, x);
    auto [y_end, y_error] = std::from_chars(text.data() + comma + 1, text.data() + text.size(), y);
    if (x_error != std::errc() || y_error != std::errc() || x_end != text.data() + comma
        || y_end != text.data() + text.size() || x < 0 || y < 0)
        return std::nullopt;
    return std::pair { x, y };
}

} // namespace

// `pxos asm --program`: the program file's words, little-endian, as `pxos fs
// put --words` stores them.
int write_program_file(const Program& program, const AsmCommandOptions& options, std::span<const std::string> inputs)
{
    auto words = program_file_words(program, options.source_path);
    if (!words)
        return report_error(words.error());
    StagedOutputs outputs(host_files(), { inputs.begin(), inputs.end() });
    for (const std::string& source : program.source_map.files())
        outputs.add_input(source);
    if (auto written = outputs.write(options.output_path, words_to_bytes(*words)); !written)
        return report_error(written.error());
    if (auto committed = outputs.commit(); !committed)
        return report_error(committed.error());
    print_written_path(options.output_path);
    std::fprintf(stderr, "assembled a program file of %zu words (%u code words, %zu relocation%s) into %s\n",
        words->size(), program.end_address(), program.relocations.size(), program.relocations.size() == 1 ? "" : "s",
        escape_for_terminal(shown_output_name(options.output_path)).c_str());
    return 0;
}

int run_asm_command(const AsmCommandOptions& options)
{
    setup_logging(Verbosity::Normal);
    const std::string inputs[] = { options.source_path };
    if (auto checked = check_output_target(options.output_path, inputs, OutputKind::Binary); !checked)
        return report_error(checked.error());
    AssembleOptions assemble_options;
    assemble_options.limits = CodeLimits::from_caps(options.caps);
    assemble_options.files = &host_files();
    assemble_options.vram_width = options.width;
    assemble_options.vram_height = options.height > 0 ? options.height : VRAMLimits::kMaxDimension;
    if (options.program && !options.origin.empty())
        return report_error(Error::usage("--program assembles at offset 0 (a program file is relocated at load): "
                                         "give --program or --origin, not both"));
    if (options.program && options.height > 0)
        return report_error(Error::usage("--height sizes an image: a program file (--program) has none"));
    assemble_options.relocatable = options.program;
    if (!options.origin.empty()) {
        auto point = parse_point(options.origin);
        if (!point || point->first >= options.width)
            return report_error(Error::usage(fmt::format("--origin '{}' must be X,Y inside the image", options.origin)));
        assemble_options.origin = std::uint32_t(point->second) * std::uint32_t(options.width) + std::uint32_t(point->first);
    }
    auto program = assemble_file(options.source_path, assemble_options);
    if (!program)
        return report_error(program.error());
    if (options.program)
        return write_program_file(*program, options, inputs);

    int height = options.height;
    if (height <= 0)
        height = std::max(1, int((std::uint64_t(program->end_address()) + std::uint64_t(options.width) - 1)
                                 / std::uint64_t(options.width)));
    auto created = SimulatedVRAM::create(options.width, height, VRAMLimits::from_caps(options.caps));
    if (!created)
        return report_error(created.error());
    SimulatedVRAM vram = std::move(*created);
    vram.fill_rect(vram.bounds(), RGBA::from_word(0));
    if (auto written = write_program(*program, vram); !written)
        return report_error(written.error());
    // The image and its source map appear together, never over a source file or an include.
    StagedOutputs outputs(host_files(), { std::begin(inputs), std::end(inputs) });
    for (const std::string& source : program->source_map.files())
        outputs.add_input(source);
    ThreadExecutor executor;
    if (auto written = stage_png(outputs, options.output_path, vram, executor); !written)
        return report_error(written.error());
    if (!is_std_stream(options.output_path)) // a PNG on stdout has no place beside it for its map
        if (auto written = outputs.write(source_map_path_for(options.output_path), program->source_map.to_json());
            !written)
            return report_error(written.error());
    if (auto committed = outputs.commit(); !committed)
        return report_error(committed.error());
    print_written_path(options.output_path);
    std::fprintf(stderr, "assembled %zu words into %s (%dx%d)\n", program->words.size(),
        escape_for_terminal(shown_output_name(options.output_path)).c_str(),
        vram.width(), vram.height());
    return 0;
}

// `pxos disasm` of a program file (it starts with the magic `PXEX`).
int disassemble_program_file_command(const DisasmCommandOptions& options, std::span<const std::uint8_t> bytes)
{
    if (!options.region.empty() || !options.at.empty() || options.count)
        return report_error(Error::usage("--region, --at and --count pick pixels of an image; a program file is "
                                         "listed whole"));
    if (options.json)
        return report_error(Error::usage("--json lists the pixels of an image; a program file is listed as pxasm"));
    auto words = bytes_to_words(bytes, options.image_path);
    if (!words)
        return report_error(words.error());
    auto file = read_program_file(*words, options.image_path);
    if (!file)
        return report_error(file.error());
    std::fputs(disassemble_program_file(*file).c_str(), stdout);
    return 0;
}

int run_disasm_command(const DisasmCommandOptions& options)
{
    {
        // A program file or a PNG: the first bytes say which.
        auto bytes = host_files().read_file_bytes(options.image_path, options.caps.get(Cap::PngFile), Cap::PngFile);
        if (bytes && has_program_magic(*bytes))
            return disassemble_program_file_command(options, *bytes);
    }
    auto image = load_png(host_files(), options.image_path, PngLimits::from_caps(options.caps));
    if (!image)
        return report_error(image.error());
    std::uint32_t width = std::uint32_t(image->width());
    // The image's own palette when it has a header, else the ISA's colours.
    auto header = read_header(*image, options.image_path);
    Palette palette = Palette::canonical();
    if (header) {
        auto own = Palette::read(*image, header->palette, int(header->palette_cell_width), int(header->opcode_count),
            options.image_path);
        if (!own)
            return report_error(own.error());
        palette = std::move(*own);
    }

    std::uint32_t start = 0;
    std::uint32_t count = std::uint32_t(image->pixel_count());
    if (!options.region.empty() && !options.at.empty())
        return report_error(Error::usage("give --region or --at, not both"));
    if (!options.region.empty()) {
        const Region* region = find_region(options.region);
        if (!region) {
            std::string names;
            for (const Region& entry : layout_regions())
                names += (names.empty() ? "" : ", ") + std::string(entry.name);
            return report_error(Error::usage(fmt::format("unknown region '{}' (regions: {})", options.region, names)));
        }
        Rect rect = region->rect.intersected(image->bounds());
        start = std::uint32_t(rect.y) * width;
        count = std::uint32_t(rect.height) * width;
    } else if (!options.at.empty()) {
        auto point = parse_point(options.at);
        if (!point || !image->contains(point->first, point->second))
            return report_error(Error::usage(fmt::format("--at '{}' must be X,Y inside the {}x{} image", options.at,
                image->width(), image->height())));
        start = std::uint32_t(point->second) * width + std::uint32_t(point->first);
        count = options.count ? options.count : 16;
    }
    if (options.count && options.at.empty())
        count = std::min(count, options.count);
    if (options.json) {
        nlohmann::ordered_json words = nlohmann::ordered_json::array();
        for (const DisassembledWord& word : disassembly(*image, start, count, palette))
            words.push_back({ { "at", { word.address % width, word.address / width } }, { "address", word.address },
                { "length", word.length }, { "text", word.text } });
        nlohmann::ordered_json document { { "schema", kJsonSchema }, { "image", options.image_path },
            { "width", width }, { "words", std::move(words) } };
        print_result(write_json(document, JsonLayout::Indented) + "\n");
        return 0;
    }
    std::fputs(disassemble(*image, start, count, palette).c_str(), stdout);
    return 0;
}

int run_ops_command(const OpsCommandOptions& options)
{
    if (options.json) {
        nlohmann::ordered_json opcodes = nlohmann::ordered_json::array();
        for (const isa::OpcodeInfo& op : isa::kOpcodes) {
            nlohmann::ordered_json operands = nlohmann::ordered_json::array();
            for (int i = 0; i < op.operand_count(); ++i)
                operands.push_back(isa::info(op.operand_kind(i)).name);
            opcodes.push_back({ { "mnemonic", op.mnemonic },
                { "color", { op.color.r, op.color.g, op.color.b, op.color.a } }, { "operands", std::move(operands) },
                { "operand_names", op.operand_names }, { "length", op.length() }, { "privileged", op.privileged },
                { "doc", op.doc } });
        }
        nlohmann::ordered_json document { { "schema", kJsonSchema }, { "isa_version", isa::kVersion },
            { "opcodes", std::move(opcodes) } };
        std::fputs((write_json(document, JsonLayout::Indented) + "\n").c_str(), stdout);
        return 0;
    }
    std::fputs((options.markdown ? isa::reference_markdown() : isa::reference_text()).c_str(), stdout);
    return 0;
}

int run_abi_command(const AbiCommandOptions& options)
{
    if (options.json) {
        nlohmann::ordered_json symbols = nlohmann::ordered_json::object();
        for (const auto& [name, value] : standard_symbols(kDefaultVRAMWidth))
            symbols[name] = value;
        nlohmann::ordered_json document { { "schema", kJsonSchema }, { "vram_width", kDefaultVRAMWidth },
            { "symbols", std::move(symbols) } };
        std::fputs((write_json(document, JsonLayout::Indented) + "\n").c_str(), stdout);
        return 0;
    }
    std::fputs((options.markdown ? abi::reference_markdown() : abi::symbols_text(kDefaultVRAMWidth)).c_str(), stdout);
    return 0;
}

} // namespace pxos::cli
