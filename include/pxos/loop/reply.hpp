// What the loop accepts from an LLM: a reply is prose around fenced blocks;
// one YAML block (a whole roadmap or an `edits:` list) and any number of
// SEARCH/REPLACE patches on the sources the roadmap's steps use (the names
// of roadmap_sources()). A patched file source is inlined into the roadmap
// (the step's `*_file` becomes its `*_source` with the patched text, the
// includes it keeps rewritten to resolve from the roadmap's folder), so a
// proposal never writes a file. Every error points into the reply as the
// model wrote it ("reply:LINE:COL", lines counted in the whole reply) and
// names the block, the edit and the step it resolved to; a patch that does
// not apply shows the nearest text that does exist.
#pragma once

#include "pxos/base/diagnostic.hpp"
#include "pxos/base/file_system.hpp"
#include "pxos/loop/sources.hpp"
#include "pxos/roadmap/roadmap.hpp"
#include "pxos/roadmap/step_registry.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pxos {

// The file name reply errors carry ("reply:14:5: error: ...").
inline constexpr std::string_view kReplyFile = "reply";

// What a reply proposes, ready for validate_proposal.
struct AcceptedReply {
    std::string text;      // the proposed roadmap's YAML
    std::string rationale; // the reply's `rationale:` (a YAML key or a "Rationale:" paragraph); may be empty
    std::string note;      // which fenced block was used, the patches applied, the steps inlined
};

// What a reply is read against: the roadmap it improves and its sources.
struct ReplyContext {
    const Roadmap* base = nullptr;                     // the parent (steps numbered from 1 as in the prompt)
    const std::vector<RoadmapSource>* sources = nullptr; // roadmap_sources(*base)
    const StepRegistry* registry = nullptr;
    // With `files`, the proposal is validated too (validate_proposal: files
    // stay inside `folder`), its errors mapped back into the reply.
    FileSystem* files = nullptr;
    std::string folder = ".";
    RoadmapLimits limits;
};

// The roadmap a reply proposes, or every error found, each at its place in
// the reply. Bounded: the reply is at most the LLM reply cap, its YAML
// within `context.limits.yaml` as aliases expand it.
Result<AcceptedReply> parse_reply(std::string_view reply, const ReplyContext& context);

// The reply format, as the loop's prompt describes it (one table of rules:
// the parser above follows the same text).
std::string reply_format_help();

// The rejected reply as a retry prompt shows it: numbered lines (the lines
// errors name), at most `max_bytes`, the middle left out when longer, saying so.
std::string numbered_reply_excerpt(std::string_view reply, std::size_t max_bytes = 6 * 1024);

} // namespace pxos
