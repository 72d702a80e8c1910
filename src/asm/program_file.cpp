#include "pxos/asm/program_file.hpp"

#include "pxos/abi/program_file.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace pxos {

Result<std::vector<std::uint32_t>> program_file_words(const Program& program, const std::string& name)
{
    if (program.words.empty())
        return Error::bad_input(name, "a program file needs at least one word of code");
    std::uint32_t code_words = program.end_address();
    std::vector<std::uint32_t> words(std::size_t(abi::kProgramHeaderWords) + code_words + program.relocations.size(), 0);
    words[0] = abi::kProgramMagic;
    words[1] = abi::kProgramVersion;
    words[2] = code_words;
    std::int64_t entry = program.symbol("main").value_or(0);
    if (entry < 0 || entry >= std::int64_t(code_words))
        return Error::bad_input(name, fmt::format("its main ({}) is outside its {} code words", entry, code_words));
    words[3] = std::uint32_t(entry);
    words[4] = std::uint32_t(program.relocations.size());
    for (const AssembledWord& word : program.words)
        words[std::size_t(abi::kProgramHeaderWords) + word.address] = word.word;
    std::size_t at = std::size_t(abi::kProgramHeaderWords) + code_words;
    for (std::uint32_t address : program.relocations)
        words[at++] = address;
    return words;
}

Result<ProgramFile> read_program_file(std::span<const std::uint32_t> words, const std::string& name)
{
    auto bad = [&](std::size_t offset, std::string message) {
        return Error::bad_input(fmt::format("{}, word {}", name, offset), std::move(message));
    };
    if (words.size() < std::size_t(abi::kProgramHeaderWords))
        return bad(0, fmt::format("not a program file: {} words, shorter than the {}-word header", words.size(),
                          abi::kProgramHeaderWords));
    if (words[0] != abi::kProgramMagic)
        return bad(0, fmt::format("not a program file: 0x{:08x} where the magic 'PXEX' (0x{:08x}) belongs", words[0],
                          abi::kProgramMagic));
    if (words[1] != abi::kProgramVersion)
        return bad(1, fmt::format("program file version {} is not supported (expected {})", words[1],
                          abi::kProgramVersion));
    std::uint64_t code_words = words[2], relocations = words[4];
    if (code_words == 0)
        return bad(2, "the program file has no code words");
    std::uint64_t expected = std::uint64_t(abi::kProgramHeaderWords) + code_words + relocations;
    if (expected != words.size())
        return bad(2, fmt::format("the header says {} code words and {} relocations ({} words in all), the file has {}",
                          code_words, relocations, expected, words.size()));
    if (words[3] >= code_words)
        return bad(3, fmt::format("entry {} lies outside the {} code words", words[3], code_words));
    for (std::size_t reserved = 5; reserved < std::size_t(abi::kProgramHeaderWords); ++reserved)
        if (words[reserved] != 0)
            return bad(reserved, fmt::format("reserved header word is {}, expected 0", words[reserved]));
    ProgramFile file;
    file.entry = words[3];
    auto code = words.subspan(std::size_t(abi::kProgramHeaderWords), std::size_t(code_words));
    file.code.assign(code.begin(), code.end());
    for (std::size_t i = 0; i < relocations; ++i) {
        std::size_t offset = std::size_t(abi::kProgramHeaderWords + code_words + i);
        if (words[offset] >= code_words)
            return bad(offset, fmt::format("relocation {} names word {}, outside the {} code words", i, words[offset],
                                   code_words));
        if (i > 0 && words[offset] <= file.relocations.back())
            return bad(offset, fmt::format("relocation {} names word {}, not after relocation {} (word {}): each word "
                                           "is relocated once, in increasing order",
                                   i, words[offset], i - 1, file.relocations.back()));
        file.relocations.push_back(words[offset]);
    }
    return file;
}

std::vector<std::uint8_t> words_to_bytes(std::span<const std::uint32_t> words)
{
    std::vector<std::uint8_t> bytes;
    bytes.reserve(words.size() * 4);
    for (std::uint32_t word : words)
        for (int shift = 0; shift < 32; shift += 8)
            bytes.push_back(std::uint8_t(word >> shift));
    return bytes;
}

Result<std::vector<std::uint32_t>> bytes_to_words(std::span<const std::uint8_t> bytes, const std::string& name)
{
    if (bytes.size() % 4 != 0)
        return Error::bad_input(name, fmt::format("{} bytes is not a whole number of 4-byte words", bytes.size()));
    std::vector<std::uint32_t> words(bytes.size() / 4);
    for (std::size_t i = 0; i < words.size(); ++i)
        words[i] = std::uint32_t(bytes[4 * i]) | std::uint32_t(bytes[4 * i + 1]) << 8
            | std::uint32_t(bytes[4 * i + 2]) << 16 | std::uint32_t(bytes[4 * i + 3]) << 24;
    return words;
}

bool has_program_magic(std::span<const std::uint8_t> bytes)
{
    return bytes.size() >= 4 && bytes[0] == 'P' && bytes[1] == 'X' && bytes[2] == 'E' && bytes[3] == 'X';
}

std::vector<std::uint32_t> relocated_code(const ProgramFile& file, std::uint32_t base)
{
    std::vector<std::uint32_t> code = file.code;
    for (std::uint32_t index : file.relocations)
        code[index] += base;
    return code;
}

std::string disassemble_program_file(const ProgramFile& file)
{
    Palette palette = Palette::canonical();
    std::string text = fmt::format("; program file: {} code words, entry {}, {} relocation{} (reloc: the loader "
                                   "adds the load base)\n.org 0\n",
        file.code.size(), file.entry, file.relocations.size(), file.relocations.size() == 1 ? "" : "s");
    std::uint32_t end = std::uint32_t(file.code.size());
    std::uint32_t address = 0;
    while (address < end) {
        auto instruction = decode(file.code.data(), file.code.size(), address, palette);
        std::string line;
        int length = 1;
        if (instruction) {
            line = "    " + format_instruction(*instruction);
            length = instruction->length();
        } else {
            line = fmt::format("    .word 0x{:08x}", file.code[address]);
        }
        if (address == file.entry)
            text += "main:\n";
        if (line.size() < 32)
            line.resize(32, ' ');
        std::string comment = fmt::format(" ; {}", address);
        for (std::uint32_t word = address; word < address + std::uint32_t(length); ++word)
            if (std::binary_search(file.relocations.begin(), file.relocations.end(), word))
                comment += fmt::format(" reloc {}", word);
        text += line + comment + "\n";
        address += std::uint32_t(length);
    }
    return text;
}

} // namespace pxos
