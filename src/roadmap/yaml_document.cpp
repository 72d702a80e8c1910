#include "roadmap/yaml_document.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <sstream>
#include <vector>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

namespace pxos {

namespace {

constexpr std::string_view kCoreTagPrefix = "tag:yaml.org,2002:";
constexpr std::string_view kScalarTags[] = { "str", "int", "float", "bool", "null" };

// Thrown from the event handler to stop yaml-cpp's parser at once; caught
// in load_yaml_document, never outside this file.
struct Refusal {
    YAML::Mark mark;
    std::string message;
};

enum class NodeKind { Scalar, Sequence, Map };

// Measures the expanded document from yaml-cpp's parse events. An anchored
// node's expanded size is known when it ends; an alias adds that size
// again. The running totals are the expanded document's, so the first event
// past a cap is the one to name.
class ExpansionCounter final : public YAML::EventHandler {
public:
    explicit ExpansionCounter(const YamlLimits& limits) : m_limits(limits) { }

    void OnDocumentStart(const YAML::Mark&) override { }
    void OnDocumentEnd() override { }
    void OnAnchor(const YAML::Mark&, const std::string& name) override { m_anchor_names.push_back(name); }

    void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { leaf(mark, anchor, 0); }
    void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
        const std::string& value) override
    {
        check_tag(mark, tag, NodeKind::Scalar);
        leaf(mark, anchor, value.size());
    }
    void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override
    {
        for (const Open& open : m_open)
            if (open.anchor == anchor)
                throw Refusal { mark, fmt::format("alias '*{}' refers to a node that contains it; pxos reads no cycles",
                                          anchor_name(anchor)) };
        Size size = anchor < m_anchor_sizes.size() ? m_anchor_sizes[anchor] : Size { 1, 0 };
        add(mark, size, anchor_name(anchor));
    }
    void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
        YAML::EmitterStyle::value) override
    {
        open(mark, tag, anchor, NodeKind::Sequence);
    }
    void OnSequenceEnd() override { close(); }
    void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
        YAML::EmitterStyle::value) override
    {
        open(mark, tag, anchor, NodeKind::Map);
    }
    void OnMapEnd() override { close(); }

private:
    struct Size {
        std::uint64_t nodes = 0;
        std::uint64_t bytes = 0;
    };
    struct Open {
        YAML::anchor_t anchor;
        Size size; // of this node so far, expanded
    };

    std::string anchor_name(YAML::anchor_t anchor) const
    {
        // yaml-cpp numbers a document's anchors 1, 2, ... in the order it
        // reports their names.
        return anchor >= 1 && anchor <= m_anchor_names.size() ? m_anchor_names[anchor - 1] : std::to_string(anchor);
    }

    void check_tag(const YAML::Mark& mark, const std::string& tag, NodeKind kind)
    {
        if (tag == "?" || tag == "!" || tag.empty())
            return;
        if (tag.rfind(kCoreTagPrefix, 0) == 0) {
            std::string_view name = std::string_view(tag).substr(kCoreTagPrefix.size());
            bool scalar = std::find(std::begin(kScalarTags), std::end(kScalarTags), name) != std::end(kScalarTags);
            if ((kind == NodeKind::Scalar && scalar) || (kind == NodeKind::Sequence && name == "seq")
                || (kind == NodeKind::Map && name == "map"))
                return;
            if (scalar || name == "seq" || name == "map")
                throw Refusal { mark, fmt::format("tag '{}' on a {}", yaml_tag_text(tag),
                                          kind == NodeKind::Scalar ? "scalar" : (kind == NodeKind::Map ? "map" : "list")) };
        }
        throw Refusal { mark, fmt::format("unknown tag '{}'; pxos reads only the core tags !!str, !!int, !!float, "
                                          "!!bool, !!null, !!seq and !!map",
                                  yaml_tag_text(tag)) };
    }

    void leaf(const YAML::Mark& mark, YAML::anchor_t anchor, std::uint64_t bytes)
    {
        Size size { 1, bytes };
        add(mark, size, {});
        if (anchor != YAML::NullAnchor)
            remember(anchor, size);
    }

    void open(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor, NodeKind kind)
    {
        check_tag(mark, tag, kind);
        if (m_open.size() + 1 > m_limits.max_depth)
            throw Refusal { mark, fmt::format("lists and maps nested {} deep, over {}", m_open.size() + 1,
                                      cap_text(Cap::YamlDepth, m_limits.max_depth)) };
        add(mark, Size { 1, 0 }, {});
        m_open.push_back(Open { anchor, Size { 1, 0 } });
    }

    void close()
    {
        Open done = m_open.back();
        m_open.pop_back();
        if (done.anchor != YAML::NullAnchor)
            remember(done.anchor, done.size);
    }

    void remember(YAML::anchor_t anchor, const Size& size)
    {
        if (m_anchor_sizes.size() <= anchor)
            m_anchor_sizes.resize(anchor + 1);
        m_anchor_sizes[anchor] = size;
    }

    // Adds a node (or an alias's whole expansion) to every open node and to
    // the document, refusing it past a cap. `alias` is empty for a node.
    void add(const YAML::Mark& mark, const Size& size, const std::string& alias)
    {
        m_total.nodes += size.nodes;
        m_total.bytes += size.bytes;
        std::string subject = alias.empty() ? std::string("the document grows")
                                            : fmt::format("alias '*{}' expands the document", alias);
        if (m_total.nodes > m_limits.max_nodes)
            throw Refusal { mark, fmt::format("{} to {} nodes, over {}", subject, m_total.nodes,
                                      cap_text(Cap::YamlNodes, m_limits.max_nodes)) };
        if (m_total.bytes > m_limits.max_bytes)
            throw Refusal { mark, fmt::format("{} to {} bytes of text, over {}", subject, m_total.bytes,
                                      cap_text(Cap::YamlBytes, m_limits.max_bytes)) };
        for (Open& open : m_open) {
            open.size.nodes += size.nodes;
            open.size.bytes += size.bytes;
        }
    }

    const YamlLimits& m_limits;
    Size m_total;
    std::vector<Open> m_open;
    std::vector<Size> m_anchor_sizes; // by anchor number
    std::vector<std::string> m_anchor_names;
};

} // namespace

SourceLocation yaml_location(const std::string& file, const YAML::Mark& mark)
{
    if (mark.is_null())
        return SourceLocation { file, 0, 0 };
    return SourceLocation { file, mark.line + 1, mark.column + 1 };
}

std::string yaml_place(const std::string& file, const YAML::Mark& mark)
{
    return yaml_location(file, mark).to_string();
}

std::string yaml_tag_text(const std::string& tag)
{
    if (tag.rfind(kCoreTagPrefix, 0) == 0)
        return "!!" + tag.substr(kCoreTagPrefix.size());
    return tag;
}

bool yaml_tag_fits(const YAML::Node& node, std::initializer_list<std::string_view> kinds)
{
    const std::string& tag = node.Tag();
    if (tag.empty() || tag == "?" || tag == "!")
        return true;
    if (tag.rfind(kCoreTagPrefix, 0) != 0)
        return false;
    std::string_view name = std::string_view(tag).substr(kCoreTagPrefix.size());
    return std::find(kinds.begin(), kinds.end(), name) != kinds.end();
}

Result<YAML::Node> load_yaml_document(std::string_view text, const std::string& file, const YamlLimits& limits)
{
    try {
        // First pass: events only, no tree. yaml-cpp's own recursion is
        // bounded (its depth guard), our depth cap is far below it.
        std::istringstream stream { std::string(text) };
        YAML::Parser parser(stream);
        ExpansionCounter counter(limits);
        parser.HandleNextDocument(counter);
        struct SecondDocument final : YAML::EventHandler {
            void OnDocumentStart(const YAML::Mark& at) override { throw Refusal { at, "" }; }
            void OnDocumentEnd() override { }
            void OnNull(const YAML::Mark&, YAML::anchor_t) override { }
            void OnAlias(const YAML::Mark&, YAML::anchor_t) override { }
            void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override { }
            void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override { }
            void OnSequenceEnd() override { }
            void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override { }
            void OnMapEnd() override { }
        } second;
        try {
            parser.HandleNextDocument(second);
        } catch (const Refusal& refusal) {
            return Error::bad_input(yaml_location(file, refusal.mark),
                "a second YAML document starts here; a roadmap or reply is one document (remove the '---' "
                "and what follows)");
        }
    } catch (const Refusal& refusal) {
        return Error::bad_input(yaml_location(file, refusal.mark), refusal.message);
    } catch (const YAML::Exception& exception) {
        return Error::bad_input(yaml_location(file, exception.mark), "YAML syntax: " + exception.msg);
    }
    try {
        return YAML::Load(std::string(text));
    } catch (const YAML::Exception& exception) {
        return Error::bad_input(yaml_location(file, exception.mark), "YAML syntax: " + exception.msg);
    }
}

} // namespace pxos
