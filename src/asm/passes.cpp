#include "asm/assembly.hpp"

#include "pxos/base/suggest.hpp"
#include "pxos/image/layout.hpp"
#include "pxos/isa/decoder.hpp"

#include <charconv>
#include <fmt/format.h>

namespace pxos::pxasm {

std::optional<std::uint32_t> Assembler::word_value(std::int64_t value, const SourceLocation& location)
{
    if (value < INT32_MIN || value > std::int64_t(UINT32_MAX)) {
        error(location, fmt::format("value {} does not fit in a 32-bit word", value));
        return std::nullopt;
    }
    return std::uint32_t(value);
}

std::optional<std::uint32_t> Assembler::org_address(const Statement& statement)
{
    std::int64_t width = m_options.vram_width;
    if (statement.name == ".org") {
        if (statement.operands.size() == 1) {
            // Relocatable: an offset from the program's start (a number, or
            // an address in the program such as `$ + 16`; origin 0 makes them one).
            return [&]() -> std::optional<std::uint32_t> {
                auto value = evaluate_value(statement.operands[0], statement.location, true);
                if (!value)
                    return std::nullopt;
                return std::uint32_t(std::clamp<std::int64_t>(value->number, -1, UINT32_MAX));
            }();
        }
        if (statement.operands.size() == 2) {
            if (m_options.relocatable) {
                relocation_error(statement.location,
                    ".org X, Y names a pixel of the image, which a program cannot do (use .org OFFSET)");
                return std::nullopt;
            }
            auto x = evaluate(statement.operands[0], statement.location, true, "a pixel position");
            auto y = evaluate(statement.operands[1], statement.location, true, "a pixel position");
            if (!x || !y)
                return std::nullopt;
            if (*x < 0 || *x >= width || *y < 0 || *y >= m_options.vram_height) {
                error(statement.location, fmt::format(".org {}, {} is outside the {}x{} VRAM", *x, *y, width,
                                              m_options.vram_height));
                return std::nullopt;
            }
            return std::uint32_t(*y * width + *x);
        }
        error(statement.location, ".org takes an address, or x, y");
        return std::nullopt;
    }
    // .region NAME [, offset]
    if (m_options.relocatable) {
        relocation_error(statement.location, ".region names a place in the image, which a program cannot do");
        return std::nullopt;
    }
    if (statement.operands.empty() || statement.operands.size() > 2 || statement.operands[0].size() != 1
        || statement.operands[0][0].kind != TokenKind::Identifier) {
        error(statement.location, ".region takes a region name and an optional offset");
        return std::nullopt;
    }
    const Region* region = find_region(statement.operands[0][0].text);
    if (!region) {
        std::vector<std::string_view> names;
        for (const Region& entry : layout_regions())
            names.push_back(entry.name);
        error(at(statement.location, statement.operands[0][0].column),
            fmt::format("unknown region '{}'{}", statement.operands[0][0].text,
                did_you_mean(statement.operands[0][0].text, names)));
        return std::nullopt;
    }
    std::int64_t offset = 0;
    if (statement.operands.size() == 2) {
        auto value = evaluate(statement.operands[1], statement.location, true, "a region offset");
        if (!value)
            return std::nullopt;
        offset = *value;
    }
    return std::uint32_t(std::int64_t(region->rect.y) * width + region->rect.x + offset);
}

std::int64_t Assembler::directive_size(const Statement& statement)
{
    if (statement.name == ".word" || statement.name == ".color") {
        if (statement.name == ".color")
            return 1;
        return std::int64_t(statement.operands.size());
    }
    if (statement.name == ".string" || statement.name == ".stringz") {
        std::int64_t size = 0;
        for (const auto& operand : statement.operands) {
            if (operand.size() == 1 && operand[0].kind == TokenKind::String)
                size += std::int64_t(operand[0].text.size());
            else
                size += 1; // a number or character: one word
        }
        return size + (statement.name == ".stringz" ? 1 : 0);
    }
    if (statement.name == ".fill") {
        if (statement.operands.size() != 2) {
            error(statement.location, ".fill takes a count and a value");
            return 0;
        }
        auto count = evaluate(statement.operands[0], statement.location, true, "a .fill count");
        if (!count)
            return 0;
        if (*count < 0) {
            error(statement.location, fmt::format(".fill count {} is negative", *count));
            return 0;
        }
        if (std::uint64_t(*count) > m_options.limits.max_words) {
            error(statement.location, fmt::format(".fill count {} is over {}", *count,
                                          cap_text(Cap::ProgramWords, m_options.limits.max_words)));
            return 0;
        }
        return *count;
    }
    return 0;
}

void Assembler::layout()
{
    m_address = m_options.origin;
    for (const Statement& statement : *m_parsed) {
        switch (statement.kind) {
        case Statement::Kind::Label: {
            if (m_symbols.count(statement.name) && m_label_locations.count(statement.name)) {
                error(statement.location, fmt::format("label '{}' is already defined at {}", statement.name,
                                              m_label_locations[statement.name].to_string()));
                break;
            }
            if (m_symbols.count(statement.name) && !m_options.predefined.count(statement.name)) {
                error(statement.location, fmt::format("label '{}' redefines a built-in symbol", statement.name));
                break;
            }
            m_symbols[statement.name] = m_address;
            m_label_locations[statement.name] = statement.location;
            if (m_options.relocatable)
                m_address_symbols.insert(statement.name);
            break;
        }
        case Statement::Kind::Instruction: m_address += statement.opcode->length(); break;
        case Statement::Kind::Directive:
            if (statement.name == ".org" || statement.name == ".region") {
                if (auto address = org_address(statement))
                    m_address = *address;
            } else if (statement.name == ".equ") {
                if (statement.operands.size() != 2 || statement.operands[0].size() != 1
                    || statement.operands[0][0].kind != TokenKind::Identifier) {
                    error(statement.location, ".equ takes a name and a value");
                    break;
                }
                const std::string& name = statement.operands[0][0].text;
                if (m_label_locations.count(name)) {
                    error(statement.location, fmt::format("'{}' is already defined at {}", name,
                                                  m_label_locations[name].to_string()));
                    break;
                }
                if (auto value = evaluate_value(statement.operands[1], statement.location, true)) {
                    m_symbols[name] = value->number;
                    m_label_locations[name] = statement.location;
                    if (value->addresses != 0)
                        m_address_symbols.insert(name);
                    else
                        m_address_symbols.erase(name);
                }
            } else {
                m_address += directive_size(statement);
            }
            break;
        }
    }
}

void Assembler::put(std::uint32_t address, std::uint32_t word, const SourceLocation& location, bool relocated)
{
    if (relocated)
        m_relocations.push_back(address);
    if (m_emitted.size() >= m_options.limits.max_words) {
        if (m_emitted.size() == m_options.limits.max_words)
            error(location, "program is over " + cap_text(Cap::ProgramWords, m_options.limits.max_words));
        m_emitted.push_back({ { address, word }, &location });
        return;
    }
    m_emitted.push_back({ { address, word }, &location });
}

std::optional<Value> Assembler::operand_value(const isa::OpcodeInfo& info, int index,
    const std::vector<Token>& tokens, const SourceLocation& location)
{
    auto value = evaluate_value(tokens, location, true);
    if (!value)
        return std::nullopt;
    // The opcode table marks the operand kinds a loader relocates (imm only).
    const isa::OperandKindInfo& kind = isa::info(info.operand_kind(index));
    if (value->addresses != 0 && !kind.relocated) {
        relocation_error(at(location, tokens.front().column),
            fmt::format("an address cannot be operand {} of {} (a {} operand; only imm operands are relocated)",
                index + 1, info.mnemonic, kind.name));
        return std::nullopt;
    }
    return value;
}

std::optional<std::uint32_t> Assembler::operand_word(const isa::OpcodeInfo& info, int index,
    const std::vector<Token>& tokens, const SourceLocation& location, bool& relocated)
{
    relocated = false;
    SourceLocation here = at(location, tokens.front().column);
    switch (info.operand_kind(index)) {
    case isa::OperandKind::Register: {
        if (tokens.size() == 1 && tokens[0].kind == TokenKind::Identifier) {
            std::string name = lower(tokens[0].text);
            if (name == "sp")
                return std::uint32_t(isa::kStackPointer);
            if (name.size() >= 2 && name[0] == 'r') {
                int number = -1;
                auto [end, parse_error] = std::from_chars(name.data() + 1, name.data() + name.size(), number);
                if (parse_error == std::errc() && end == name.data() + name.size() && number >= 0
                    && number < isa::kRegisterCount)
                    return std::uint32_t(number);
            }
        }
        std::string found;
        for (const Token& token : tokens)
            found += token.kind == TokenKind::Number ? std::to_string(token.value) : token.text;
        error(here, fmt::format("operand {} of {} must be a register r0..r15 or sp, found '{}'", index + 1,
                        info.mnemonic, found));
        return std::nullopt;
    }
    case isa::OperandKind::Special: {
        if (tokens.size() == 1 && tokens[0].kind == TokenKind::Identifier) {
            for (std::size_t i = 0; i < isa::kSpecials.size(); ++i)
                if (lower(std::string(isa::kSpecials[i].name)) == lower(tokens[0].text))
                    return std::uint32_t(i);
        }
        auto number = operand_value(info, index, tokens, location);
        if (!number)
            return std::nullopt;
        auto value = std::optional<std::int64_t>(number->number);
        if (*value < 0 || *value >= std::int64_t(isa::kSpecials.size())) {
            std::string names;
            for (const isa::SpecialInfo& special : isa::kSpecials)
                names += (names.empty() ? "" : ", ") + std::string(special.name);
            error(here, fmt::format("operand {} of {} must be a special register ({}), found {}", index + 1,
                            info.mnemonic, names, *value));
            return std::nullopt;
        }
        return std::uint32_t(*value);
    }
    case isa::OperandKind::Port: {
        auto number = operand_value(info, index, tokens, location);
        if (!number)
            return std::nullopt;
        auto value = std::optional<std::int64_t>(number->number);
        if (*value < 0 || *value >= std::int64_t(isa::kPortCount)) {
            error(here, fmt::format("operand {} of {} must be a port 0..{}, found {}", index + 1, info.mnemonic,
                            isa::kPortCount - 1, *value));
            return std::nullopt;
        }
        return std::uint32_t(*value);
    }
    case isa::OperandKind::Immediate: {
        if (tokens.size() == 1 && tokens[0].kind == TokenKind::Identifier) {
            std::string name = lower(tokens[0].text);
            bool is_register = name == "sp"
                || (name.size() >= 2 && name[0] == 'r' && std::all_of(name.begin() + 1, name.end(), ::isdigit));
            if (is_register && !m_symbols.count(tokens[0].text)) {
                error(here, fmt::format("operand {} of {} must be a number, label or constant, found register '{}'",
                                index + 1, info.mnemonic, tokens[0].text));
                return std::nullopt;
            }
        }
        auto value = operand_value(info, index, tokens, location);
        if (!value)
            return std::nullopt;
        relocated = value->addresses != 0;
        return word_value(value->number, here);
    }
    }
    return std::nullopt;
}

void Assembler::emit()
{
    Palette palette = Palette::canonical();
    m_address = m_options.origin;
    for (const Statement& statement : *m_parsed) {
        switch (statement.kind) {
        case Statement::Kind::Label: break;
        case Statement::Kind::Instruction: {
            std::uint32_t address = std::uint32_t(m_address);
            put(address, palette.word_for(statement.opcode->opcode), statement.location);
            for (int i = 0; i < statement.opcode->operand_count(); ++i) {
                bool relocated = false;
                auto word = operand_word(*statement.opcode, i, statement.operands[std::size_t(i)], statement.location,
                    relocated);
                put(address + 1 + std::uint32_t(i), word.value_or(0), statement.location, word && relocated);
            }
            m_address += statement.opcode->length();
            break;
        }
        case Statement::Kind::Directive: {
            const std::string& name = statement.name;
            if (name == ".org" || name == ".region") {
                if (auto address = org_address(statement))
                    m_address = *address;
            } else if (name == ".word") {
                for (const auto& operand : statement.operands) {
                    auto value = evaluate_value(operand, statement.location, true);
                    auto word = value ? word_value(value->number, at(statement.location, operand.front().column))
                                      : std::nullopt;
                    put(std::uint32_t(m_address++), word.value_or(0), statement.location,
                        word && value->addresses != 0);
                }
            } else if (name == ".string" || name == ".stringz") {
                for (const auto& operand : statement.operands) {
                    if (operand.size() == 1 && operand[0].kind == TokenKind::String) {
                        for (char c : operand[0].text)
                            put(std::uint32_t(m_address++), static_cast<unsigned char>(c), statement.location);
                    } else {
                        auto value = evaluate(operand, statement.location, true, "a character of a string");
                        put(std::uint32_t(m_address++), value ? std::uint32_t(*value) : 0, statement.location);
                    }
                }
                if (name == ".stringz")
                    put(std::uint32_t(m_address++), 0, statement.location);
            } else if (name == ".color") {
                std::optional<std::uint32_t> word;
                if (statement.operands.size() == 1 && statement.operands[0].size() == 1
                    && statement.operands[0][0].kind == TokenKind::Color) {
                    word = std::uint32_t(statement.operands[0][0].value);
                } else if (statement.operands.size() == 3 || statement.operands.size() == 4) {
                    std::uint8_t channel[4] = { 0, 0, 0, 255 };
                    bool valid = true;
                    for (std::size_t i = 0; i < statement.operands.size(); ++i) {
                        auto value = evaluate(statement.operands[i], statement.location, true, "a colour component");
                        if (!value || *value < 0 || *value > 255) {
                            if (value)
                                error(at(statement.location, statement.operands[i].front().column),
                                    fmt::format("colour component {} is {}, expected 0-255", i + 1, *value));
                            valid = false;
                            continue;
                        }
                        channel[i] = std::uint8_t(*value);
                    }
                    if (valid)
                        word = RGBA { channel[0], channel[1], channel[2], channel[3] }.to_word();
                } else {
                    error(statement.location, ".color takes r, g, b[, a] (0-255) or #rrggbb[aa]");
                }
                put(std::uint32_t(m_address++), word.value_or(0), statement.location);
            } else if (name == ".fill") {
                std::int64_t count = directive_size(statement);
                std::optional<Value> value;
                if (statement.operands.size() == 2)
                    value = evaluate_value(statement.operands[1], statement.location, true);
                std::uint32_t word = value ? word_value(value->number, statement.location).value_or(0) : 0;
                for (std::int64_t i = 0; i < count && m_emitted.size() <= m_options.limits.max_words; ++i)
                    put(std::uint32_t(m_address++), word, statement.location, value && value->addresses != 0);
            }
            break;
        }
        }
    }
}

} // namespace pxos::pxasm
