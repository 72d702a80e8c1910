// Reading YAML that came from outside (a roadmap file, an LLM reply) into a
// yaml-cpp tree. yaml-cpp's Load shares an aliased node instead of copying
// it, so a few hundred bytes of anchors and aliases are a tree of billions of
// nodes to anyone who walks it (our loader, the edit list, the emitter).
// Before the tree is built, one pass over yaml-cpp's parse events measures
// the document as it would be expanded (every alias counts its anchor's
// whole size, each time) and refuses it past the node, byte and depth caps,
// naming the alias or node that crossed the cap. The same pass refuses what
// pxos would otherwise silently ignore: a second document, tags outside
// YAML's core schema, and aliases to a node that contains them (a cycle).
// A private header of the core: public headers never include yaml-cpp.
#pragma once

#include "pxos/base/diagnostic.hpp"
#include "pxos/base/limits.hpp"
#include "pxos/roadmap/roadmap.hpp" // YamlLimits

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <yaml-cpp/yaml.h>

namespace pxos {

// The one document of `text` as a tree, or a bad-input error at
// file:line:col (`file` names the text). yaml-cpp's syntax errors keep
// their place.
Result<YAML::Node> load_yaml_document(std::string_view text, const std::string& file, const YamlLimits& limits);

// The place of a yaml-cpp mark (0-based there) in `file`: line and column
// 1-based, or `file` alone (line 0) when the mark is null.
SourceLocation yaml_location(const std::string& file, const YAML::Mark& mark);
// The same as text: "file:line:col", or `file` alone.
std::string yaml_place(const std::string& file, const YAML::Mark& mark);

// The tag as a person writes it: "!!binary" for tag:yaml.org,2002:binary.
std::string yaml_tag_text(const std::string& tag);

// True when `node`'s tag, if it has one, is one of YAML's core-schema tags
// for a scalar read as one of `kinds` ("str", "int", "float", "bool"), or the
// non-specific "?" / "!".
bool yaml_tag_fits(const YAML::Node& node, std::initializer_list<std::string_view> kinds);

} // namespace pxos
