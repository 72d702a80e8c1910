// SEARCH/REPLACE patches in an LLM reply (a private header of the loop):
// finding the blocks in the reply's lines, applying them to the roadmap's
// sources (showing the nearest text when one does not apply), and inlining
// the patched sources into the roadmap so that the result builds with no
// file written. reply.cpp composes these with the fences and the edits.
#pragma once

#include "pxos/base/diagnostic.hpp"
#include "pxos/loop/sources.hpp"
#include "pxos/roadmap/roadmap.hpp"

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace pxos::reply {

// The markers, as the parser reads them and the prompt's help shows them.
inline constexpr std::string_view kSearchMarker = "<<<<<<< SEARCH";
inline constexpr std::string_view kDividerMarker = "=======";
inline constexpr std::string_view kReplaceMarker = ">>>>>>> REPLACE";

enum class MarkerKind { None, Search, Divider, Replace };
// A line's marker: 5 to 9 '<', '=' or '>' (7 is the standard), the word
// after '<' and '>', trailing spaces allowed.
MarkerKind marker_of(std::string_view line);

struct PatchBlock {
    int number = 0;    // 1-based among the reply's patches
    int line = 0;      // the SEARCH marker's line in the reply
    int name_line = 0; // the line naming the source; 0: taken from the block before
    std::string name_as_written;
    std::vector<std::string> search;
    std::vector<std::string> replace;
    // Set when applying: the source name it resolved to.
    std::string source;
};

struct FoundPatches {
    std::vector<PatchBlock> blocks;
    std::vector<bool> in_patch;      // per reply line (0-based): part of a patch block (its name line too)
    std::vector<Diagnostic> errors;  // blocks that are not whole
};

// Every SEARCH/REPLACE block of the reply's lines, in or out of fences.
FoundPatches find_patches(const std::vector<std::string_view>& lines);

struct Patched {
    std::map<std::string, std::string> texts; // source name -> its patched text
    std::vector<std::string> names;           // the patched sources, in reply order
    std::vector<std::string> notes;           // how a block matched when not exactly ("block 2: ignored the line numbers")
};

// Applies the blocks in order (each to the text the ones before left of its
// source); every block that names no source or does not apply is an error
// in `errors`, at its line in the reply.
Patched apply_patches(std::vector<PatchBlock>& blocks, const std::vector<RoadmapSource>& sources,
    std::vector<Diagnostic>& errors);

// Where a step of the final roadmap came from in the reply: for its errors.
struct StepOrigin {
    SourceLocation place; // in the reply; line 0: the parent's step, untouched
    std::string what;     // "edit 2 (set)", "block 1 (patch on kernel.pxasm)", empty
};

// Inlines every step whose source (or one it includes, at any depth) is
// patched: its `*_file` becomes `*_source` with the patched text, the
// patched includes' text put in place of their .include lines, the other
// includes renamed to resolve from the roadmap's folder (built-in ones,
// which inline source cannot include, inlined too). `origins` (one per step)
// learns which block changed a step; `notes` says what was inlined.
// Returns the patched sources that some step uses.
std::set<std::string> inline_patched(Roadmap& roadmap, const Patched& patched, const std::vector<PatchBlock>& blocks,
    const std::vector<RoadmapSource>& sources, std::vector<StepOrigin>& origins, std::vector<std::string>& notes);

} // namespace pxos::reply
