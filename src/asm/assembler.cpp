#include "pxos/asm/assembler.hpp"

#include "asm/assembly.hpp"
#include "pxos/isa/decoder.hpp"
#include "pxos/base/file_system.hpp"
#include "pxos/isa/isa.hpp"
#include "pxos/image/layout.hpp"

#include <algorithm>
#include <cctype>
#include <fmt/format.h>

namespace pxos {

std::optional<std::int64_t> Program::symbol(const std::string& name) const
{
    auto found = symbols.find(name);
    if (found == symbols.end())
        return std::nullopt;
    return found->second;
}

std::uint32_t Program::lowest_address() const
{
    return words.empty() ? 0 : words.front().address;
}

std::uint32_t Program::end_address() const
{
    return words.empty() ? 0 : words.back().address + 1;
}

namespace pxasm {

Result<Program> Assembler::run(std::string_view source, const std::string& file)
{
    if (within_read_caps(SourceLocation { file, 1, 1 }, source.size()))
        parse_file(source, file, 0);
    return finish();
}

Result<std::vector<Statement>> Assembler::parse(std::string_view source, const std::string& file)
{
    if (within_read_caps(SourceLocation { file, 1, 1 }, source.size()))
        parse_file(source, file, 0);
    if (!m_diagnostics.empty())
        return Error(ErrorKind::BadInput, std::move(m_diagnostics));
    return std::move(m_statements);
}

Result<Program> Assembler::assemble_statements(const std::vector<Statement>& statements)
{
    m_parsed = &statements;
    return finish();
}

Result<Program> Assembler::finish()
{
    if (m_diagnostics.empty())
        layout();
    if (m_diagnostics.empty())
        emit();

    if (m_diagnostics.empty()) {
        std::stable_sort(m_emitted.begin(), m_emitted.end(),
            [](const auto& a, const auto& b) { return a.first.address < b.first.address; });
        std::uint64_t memory = std::uint64_t(m_options.vram_width) * std::uint64_t(m_options.vram_height);
        for (std::size_t i = 0; i < m_emitted.size(); ++i) {
            const AssembledWord& word = m_emitted[i].first;
            const SourceLocation& location = *m_emitted[i].second;
            if (word.address >= memory) {
                error(location, fmt::format("address {} is outside the {}x{} VRAM", word.address, m_options.vram_width,
                                    m_options.vram_height));
                break;
            }
            if (m_options.allowed_range
                && (word.address < m_options.allowed_range->first || word.address >= m_options.allowed_range->second)) {
                error(location, fmt::format("address {} {} is outside {}", word.address,
                                    format_address(word.address, m_options.vram_width), m_options.allowed_range_name));
                break;
            }
            if (i > 0 && m_emitted[i - 1].first.address == word.address) {
                error(location, fmt::format("address {} {} is written twice (first by {})", word.address,
                                    format_address(word.address, m_options.vram_width),
                                    m_emitted[i - 1].second->to_string()));
                break;
            }
        }
    }
    if (!m_diagnostics.empty())
        return Error(ErrorKind::BadInput, std::move(m_diagnostics));

    m_program.words.reserve(m_emitted.size());
    for (const auto& [word, location] : m_emitted) {
        m_program.words.push_back(word);
        m_program.source_map.add(word.address, location->file, location->line);
    }
    std::sort(m_relocations.begin(), m_relocations.end());
    m_program.relocations = std::move(m_relocations);
    for (const auto& [name, location] : m_label_locations)
        m_program.symbols[name] = m_symbols[name];
    return std::move(m_program);
}

} // namespace pxasm

Result<Program> assemble(std::string_view source, const std::string& file, const AssembleOptions& options)
{
    pxasm::Assembler assembler(options);
    return assembler.run(source, file);
}

Result<std::string> read_source_file(const std::string& path, const AssembleOptions& options)
{
    if (!options.files)
        return Error::internal(fmt::format("assemble_file({}): no file system to read it from", path));
    return options.files->read_file_text(path, options.limits.max_source_bytes, Cap::SourceFile, options.limits.reads);
}

Result<Program> assemble_file(const std::string& path, const AssembleOptions& options)
{
    auto text = read_source_file(path, options);
    if (!text)
        return std::move(text).error();
    return assemble(*text, path, options);
}

Result<void> write_program(const Program& program, SimulatedVRAM& vram)
{
    std::uint32_t width = std::uint32_t(vram.width());
    for (const AssembledWord& word : program.words) {
        if (word.address >= vram.pixel_count())
            return Error::bad_input("", fmt::format("program word at address {} is outside the {}x{} VRAM",
                                            word.address, vram.width(), vram.height()));
        PXOS_TRY(vram.write_pixel(int(word.address % width), int(word.address / width), RGBA::from_word(word.word)));
    }
    return {};
}

} // namespace pxos
