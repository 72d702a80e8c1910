#include "pxos/asm/program_file.hpp"

#include "pxos/abi/program_file.hpp"

#include <fmt/format.h>

namespace pxos {

std::vector<std::uint32_t> program_file_words(const Program& program)
{
    std::uint32_t code_words = program.end_address();
    std::vector<std::uint32_t> words(std::size_t(abi::kProgramHeaderWords) + code_words + program.relocations.size(), 0);
    words[0] = abi::kProgramMagic;
    words[1] = abi::kProgramVersion;
    words[2] = code_words;
    words[3] = std::uint32_t(program.symbol("main").value_or(0));
    words[4] = std::uint32_t(program.relocations.size());
    for (const AssembledWord& word : program.words)
        if (word.address < code_words)
            words[std::size_t(abi::kProgramHeaderWords) + word.address] = word.word;
    std::size_t at = std::size_t(abi::kProgramHeaderWords) + code_words;
    for (std::uint32_t address : program.relocations)
        words[at++] = address;
    return words;
}

Result<ProgramFile> read_program_file(std::span<const std::uint32_t> words, const std::string& name)
{
    auto bad = [&](std::size_t offset, std::string message) {
        return Error::bad_input(fmt::format("{}@word {}", name, offset), std::move(message));
    };
    if (words.size() < std::size_t(abi::kProgramHeaderWords))
        return bad(0, fmt::format("not a program file: {} words, shorter than the {}-word header", words.size(),
                          abi::kProgramHeaderWords));
    if (words[0] != abi::kProgramMagic)
        return bad(0, "not a program file: no magic 'PXEX'");
    if (words[1] != abi::kProgramVersion)
        return bad(1, fmt::format("program file version {} is not supported (expected {})", words[1],
                          abi::kProgramVersion));
    std::uint64_t code_words = words[2], relocations = words[4];
    std::uint64_t expected = std::uint64_t(abi::kProgramHeaderWords) + code_words + relocations;
    if (expected != words.size())
        return bad(2, fmt::format("the header says {} code words and {} relocations ({} words in all), the file has {}",
                          code_words, relocations, expected, words.size()));
    if (words[3] >= code_words && code_words != 0)
        return bad(3, fmt::format("entry {} lies outside the {} code words", words[3], code_words));
    ProgramFile file;
    file.entry = words[3];
    auto code = words.subspan(std::size_t(abi::kProgramHeaderWords), std::size_t(code_words));
    file.code.assign(code.begin(), code.end());
    for (std::size_t i = 0; i < relocations; ++i) {
        std::size_t offset = std::size_t(abi::kProgramHeaderWords + code_words + i);
        if (words[offset] >= code_words)
            return bad(offset, fmt::format("relocation {} names word {}, outside the {} code words", i, words[offset],
                                   code_words));
        file.relocations.push_back(words[offset]);
    }
    return file;
}

} // namespace pxos
